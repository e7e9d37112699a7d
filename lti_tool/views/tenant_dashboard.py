"""The dashboard through an LTI launch: a platform's administrators (system or
institution Administrator role) see their own tenant's figures, nobody else's.

The link carries the custom parameter `video_dashboard=1` (set where the platform places
the tool for administrators). The launch answers the page itself; the period selector
sends a short-lived signed token naming the tenant (no cookie needed in the iframe).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

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


@dataclass(frozen=True)
class DashboardGrant:
    """What the dashboard's token proves: whose tenant, and which administrator."""

    tenant_id: int
    admin_name: str


def tenant_dashboard_launch(
    request: HttpRequest, *, platform: PlatformRegistration, body: dict[str, Any]
) -> HttpResponse:
    roles = body.get(CLAIM + "roles") or []
    if not ADMIN_ROLES.intersection(roles if isinstance(roles, list) else []):
        raise PermissionDenied(_("Only the platform's administrators can see the video dashboard."))
    who = f"{platform.issuer} {body.get('name') or body.get('sub') or ''}".strip()
    token = signing.dumps({"tenant": platform.tenant_id, "admin": who[:200]}, salt=_SALT)
    return _page(request, platform.tenant, token=token, days=30)


def dashboard_grant(token: str) -> DashboardGrant:
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.LTI_LAUNCH_TOKEN_TTL)
        return DashboardGrant(tenant_id=int(data["tenant"]), admin_name=str(data["admin"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise AppError(
            "launch_expired",
            _("Your session has expired. Please open the dashboard again from your platform."),
            status=401,
        ) from exc


@xframe_options_exempt  # inside the platform's iframe, like the launch that opened it
def tenant_dashboard(request: HttpRequest) -> HttpResponse:
    """The period selector's GET, authorised by the launch's signed token."""
    token = request.GET.get("t", "")
    grant = dashboard_grant(token)
    tenant = Tenant.objects.get(pk=grant.tenant_id)
    return _page(request, tenant, token=token, days=period_days(request))


def _page(request: HttpRequest, tenant: Tenant, *, token: str, days: int) -> HttpResponse:
    context = dashboard_context(tenant=tenant, days=days)
    context["token"] = token
    context["form_action"] = reverse("lti:tenant_dashboard")
    context["video_admin_url"] = reverse("lti:tenant_videos") + "?" + urlencode({"t": token})
    return render(request, "lti_tool/tenant_dashboard.html", context)
