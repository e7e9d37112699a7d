"""Adding the tool to an LMS: LTI Dynamic Registration and the Canvas developer key JSON.

The LMS opens `/lti/register/` in a popup (Moodle) or an iframe (Canvas), so these pages
may be framed and work without cookies.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from lti_tool.errors import AppError, render_app_error
from lti_tool.tenants.dynamic_registration import (
    PlatformConfiguration,
    RegistrationError,
    dynamic_registration_complete,
    pending_registration_dumps,
    pending_registration_loads,
    platform_configuration_fetch,
    tenant_name_check,
    tenant_name_suggest,
)
from lti_tool.tenants.tool_description import ToolUrls, canvas_developer_key

logger = logging.getLogger(__name__)


# No CSRF cookie: in Canvas's iframe the browser may block it. The POST carries the checked
# configuration signed and time-limited by us, and the endpoint grants nothing a cookie
# could carry: a forged POST could only do what anyone can do by opening the URL.
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    try:
        if request.method == "GET":
            return _confirm(request)
        return _complete(request)
    except AppError as exc:
        logger.warning("dynamic registration refused code=%s reason=%s", exc.code, exc.message)
        return render_app_error(request, exc, heading=_("The video tool could not be registered"))


def _confirm(request: HttpRequest) -> HttpResponse:
    url = request.GET.get("openid_configuration", "").strip()
    if not url:
        raise RegistrationError(
            "missing_configuration",
            "This is the tool's LTI Dynamic Registration address. Enter it in your LMS "
            "(Moodle: Manage tools > Tool URL; Canvas: Developer Keys > LTI Registration); "
            "the LMS then opens it with its configuration.",
        )
    token = request.GET.get("registration_token") or None
    platform = platform_configuration_fetch(url=url, registration_token=token)
    return _confirm_page(request, platform, token, tenant_name_suggest(platform=platform))


def _confirm_page(
    request: HttpRequest,
    platform: PlatformConfiguration,
    token: str | None,
    tenant_name: str,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "platform": platform,
        "pending": pending_registration_dumps(platform=platform, registration_token=token),
        "tenant_name": tenant_name,
        "error": error,
    }
    return render(request, "lti_tool/register_confirm.html", context, status=status)


def _complete(request: HttpRequest) -> HttpResponse:
    platform, token = pending_registration_loads(request.POST.get("pending", ""))
    tenant_name = request.POST.get("tenant_name", "")
    try:
        tenant_name_check(tenant_name=tenant_name)
    except RegistrationError as exc:  # nothing sent to the LMS yet: let them pick a name
        return _confirm_page(request, platform, token, tenant_name, exc.message, exc.status)
    registration = dynamic_registration_complete(
        platform=platform,
        registration_token=token,
        tool=tool_urls(request),
        tenant_name=tenant_name,
    )
    context = {
        "platform": platform,
        "registration": registration,
        "deployment_ids": list(registration.deployments.values_list("deployment_id", flat=True)),
    }
    return render(request, "lti_tool/register_done.html", context)


@xframe_options_exempt
@require_GET
def canvas_config(request: HttpRequest) -> JsonResponse:
    return JsonResponse(canvas_developer_key(urls=tool_urls(request)))


def tool_urls(request: HttpRequest) -> ToolUrls:
    """Absolute URLs as the LMS reaches us (behind a proxy: see BEHIND_HTTPS_PROXY)."""
    return ToolUrls(
        login=request.build_absolute_uri(reverse("lti:login")),
        launch=request.build_absolute_uri(reverse("lti:launch")),
        jwks=request.build_absolute_uri(reverse("lti:jwks")),
    )
