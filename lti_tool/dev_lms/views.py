"""The development LMS: a course page with launch buttons, and the platform's endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lti_tool.dev_lms import platform
from lti_tool.dev_lms.roster import ASSIGNMENT, COURSE, PEOPLE, Person
from lti_tool.services.platforms import platform_register


@dataclass(frozen=True)
class LaunchButton:
    person: Person
    fields: dict[str, str]  # the login initiation parameters, sent as hidden inputs
    new_tab_url: str


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    endpoints = platform.endpoints_for(request)
    # Registering on every visit keeps the tool in step with whatever host the browser used.
    platform_register(
        tenant_name=platform.PLATFORM_NAME,
        issuer=endpoints.issuer,
        client_id=platform.CLIENT_ID,
        auth_login_url=endpoints.auth_url,
        auth_token_url=endpoints.token_url,
        keyset_url=endpoints.jwks_url,
        deployment_ids=[platform.DEPLOYMENT_ID],
    )
    context = {
        "course": COURSE,
        "assignment": ASSIGNMENT,
        "endpoints": endpoints,
        "client_id": platform.CLIENT_ID,
        "deployment_id": platform.DEPLOYMENT_ID,
        "launches": [_launch_button(endpoints, person) for person in PEOPLE],
    }
    return render(request, "dev_lms/home.html", context)


def _launch_button(endpoints: platform.Endpoints, person: Person) -> LaunchButton:
    fields = {
        "iss": endpoints.issuer,
        "login_hint": person.key,
        "target_link_uri": endpoints.tool_launch_url,
        "lti_message_hint": ASSIGNMENT.id,
        "client_id": platform.CLIENT_ID,
        "lti_deployment_id": platform.DEPLOYMENT_ID,
    }
    new_tab_url = f"{endpoints.tool_login_url}?{urlencode(fields)}"
    return LaunchButton(person=person, fields=fields, new_tab_url=new_tab_url)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(platform.jwks())


@csrf_exempt  # the tool may send the authentication request as a cross-site form POST
@xframe_options_sameorigin  # this page runs inside the course page's tool frame
@never_cache
@require_http_methods(["GET", "POST"])
def auth(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    endpoints = platform.endpoints_for(request)
    try:
        auth_request = platform.validate_auth_request(
            params.dict(), tool_launch_url=endpoints.tool_launch_url
        )
    except platform.AuthRequestError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    claims = platform.id_token_claims(
        issuer=endpoints.issuer, auth=auth_request, target_link_uri=endpoints.tool_launch_url
    )
    context = {
        "redirect_uri": auth_request.redirect_uri,
        "id_token": platform.sign_id_token(claims),
        "state": auth_request.state,
        "person": auth_request.person,
    }
    return render(request, "dev_lms/form_post.html", context)


@csrf_exempt  # called server to server by the tool
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    body = {
        "error": "unsupported_grant_type",
        "error_description": "The development LMS does not offer LTI Advantage services yet.",
    }
    return JsonResponse(body, status=501)
