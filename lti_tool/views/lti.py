"""LTI 1.3 endpoints: OIDC login, launch (redirect URI), the tool's JWKS.

The launch is verified here; what a verified launch opens is in dispatch.py.
Where the platform offers its storage (`lti_storage_target`), the login answers a page that
puts the state and nonce there before going on to the platform, and a launch without the
state cookie answers a page that reads them back and posts the launch again with them.
"""

from __future__ import annotations

import functools
import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lti_tool.errors import AppError, render_app_error
from lti_tool.languages import LaunchPresentation, launch_language
from lti_tool.lti.launch import (
    STEP_MESSAGES,
    LaunchError,
    StateLost,
    StorageCheckRequired,
    ToolMessageLaunch,
    oidc_login,
    storage_page_config,
)
from lti_tool.tenants.platforms import deployment_accept_first
from lti_tool.tenants.tool_keys import tool_jwks
from lti_tool.views.dispatch import dispatch_launch

logger = logging.getLogger(__name__)
_COULD_NOT_OPEN = _("The video tool could not open")  # the heading of a refused launch


@functools.cache
def _launch_path(script_prefix: str) -> str:
    """The launch URL's path, reversed once per prefix (the URLconf is fixed for a
    process), not on every login."""
    return reverse("lti:launch")


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    try:
        start = oidc_login(request, request.build_absolute_uri(_launch_path(get_script_prefix())))
    except LaunchError as exc:
        return _refused(request, exc)
    if start.storage is None:
        # Not `redirect()`: it first tries the URL as a view name, a failed reverse per login.
        return start.finish(HttpResponseRedirect(start.auth_url))
    config = storage_page_config(start.storage, next_url=start.auth_url)
    return start.finish(render(request, "lti_tool/oidc_storage_login.html", {"config": config}))


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    message_launch = ToolMessageLaunch(request)
    try:
        message_launch.validate()
        _keep_first_deployment(message_launch)
        body = message_launch.get_launch_data()
        # The verified language and way back (the middleware read the language unverified).
        translation.activate(launch_language(body) or translation.get_language())
        request.launch_presentation = LaunchPresentation.from_body(body)  # type: ignore[attr-defined]
        return message_launch.finish(dispatch_launch(request, message_launch))
    except StorageCheckRequired as check:
        logger.info("lti launch without state cookie: checking the platform storage")
        return render(
            request,
            "lti_tool/oidc_storage_launch.html",
            {
                "config": storage_page_config(check.login, platform_origins=check.platform_origins),
                "id_token": check.id_token,
                "state": check.login.state,
            },
        )
    except LaunchError as exc:
        return _refused(request, exc)
    except AppError as exc:  # a valid launch the tool cannot serve, e.g. a Mentor's
        logger.warning("lti launch refused code=%s reason=%s", exc.code, exc.message)
        return render_app_error(request, exc, heading=_COULD_NOT_OPEN)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(tool_jwks())


def _keep_first_deployment(message_launch: ToolMessageLaunch) -> None:
    deployment_id = message_launch.first_deployment_id
    if deployment_id is None:
        return
    if not deployment_accept_first(
        registration=message_launch.platform, deployment_id=deployment_id
    ):
        raise LaunchError(
            "deployment", STEP_MESSAGES["deployment"], "another first deployment id came first"
        )
    logger.warning(
        "lti deployment id accepted from the first launch: registration=%s deployment_id=%s",
        message_launch.platform.pk,
        deployment_id,
    )


def _refused(request: HttpRequest, exc: LaunchError) -> HttpResponse:
    logger.warning("lti launch refused step=%s reason=%s", exc.step, exc.detail)
    if isinstance(exc, StateLost):
        context = {
            "heading": _COULD_NOT_OPEN,
            "message": exc.message,
            "code": exc.code,
            "relaunch_url": exc.relaunch_url,
        }
        return render(request, "lti_tool/launch_state_lost.html", context, status=exc.status)
    return render_app_error(request, exc, heading=_COULD_NOT_OPEN)
