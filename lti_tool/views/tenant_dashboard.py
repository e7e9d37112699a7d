"""The dashboard through an LTI launch: a platform's administrators (system or
institution Administrator role) see their own tenant's figures, nobody else's.

The link carries the custom parameter `video_dashboard=1` (set where the platform places
the tool for administrators). The launch answers the page itself; the period selector
sends a short-lived signed token naming the tenant (no cookie needed in the iframe).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from lti_tool.errors import AppError, PermissionDenied
from lti_tool.models import PlatformRegistration, Tenant
from lti_tool.services.launches import ADMIN_ROLES, CLAIM
from lti_tool.views.admin_dashboard import dashboard_context, period_days

CUSTOM_KEY = "video_dashboard"
_SALT = "lti_tool.tenant_dashboard"


def wants_dashboard(body: dict[str, Any]) -> bool:
    custom = body.get(CLAIM + "custom")
    return isinstance(custom, dict) and str(custom.get(CUSTOM_KEY, "")).lower() in ("1", "true")


def tenant_dashboard_launch(
    request: HttpRequest, *, platform: PlatformRegistration, body: dict[str, Any]
) -> HttpResponse:
    roles = body.get(CLAIM + "roles") or []
    if not ADMIN_ROLES.intersection(roles if isinstance(roles, list) else []):
        raise PermissionDenied(_("Only the platform's administrators can see the video dashboard."))
    return _page(request, platform.tenant, days=30)


@xframe_options_exempt  # inside the platform's iframe, like the launch that opened it
def tenant_dashboard(request: HttpRequest) -> HttpResponse:
    """The period selector's GET, authorised by the launch's signed token."""
    try:
        tenant_id = signing.loads(
            request.GET.get("t", ""), salt=_SALT, max_age=settings.LTI_LAUNCH_TOKEN_TTL
        )["tenant"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise AppError(
            "launch_expired",
            _("Your session has expired. Please open the dashboard again from your platform."),
            status=401,
        ) from exc
    return _page(request, Tenant.objects.get(pk=tenant_id), days=period_days(request))


def _page(request: HttpRequest, tenant: Tenant, *, days: int) -> HttpResponse:
    context = dashboard_context(tenant=tenant, days=days)
    context["token"] = signing.dumps({"tenant": tenant.pk}, salt=_SALT)
    context["form_action"] = reverse("lti:tenant_dashboard")
    return render(request, "lti_tool/tenant_dashboard.html", context)
