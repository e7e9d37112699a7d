"""The development LMS's pages: the course, the gradebook, and the browser-facing endpoints
of a launch (OIDC auth, deep linking return, platform storage frame).

The server-to-server endpoints (token, AGS, NRPS) are in `service_views`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dev_lms import claims, course, deep_linking, gradebook, platform
from dev_lms.roster import COURSE, PEOPLE, Person, ResourceLink, person_by_key
from lti_tool.tenants.platforms import platform_register

# The platform storage frame's name, sent as lti_storage_target (LTI Client Side postMessages).
STORAGE_FRAME_NAME = "dev-lms-storage"
STORAGE_COOKIE = "dev_lms_platform_storage"
TEACHER_KEY = "dana"


def _text_error(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _uses_platform_storage(request: HttpRequest) -> bool:
    return request.COOKIES.get(STORAGE_COOKIE) == "1"


@dataclass(frozen=True)
class LaunchButton:
    person: Person
    fields: dict[str, str]  # the login initiation parameters, sent as hidden inputs
    new_tab_url: str
    testid: str


@dataclass(frozen=True)
class Assignment:
    link: ResourceLink
    columns: list[dict[str, object]]
    launches: list[LaunchButton]


class Launcher:
    """Builds login initiations (the first step of every launch) for one page view."""

    def __init__(self, request: HttpRequest, endpoints: platform.Endpoints) -> None:
        self.endpoints = endpoints
        self.storage = _uses_platform_storage(request)

    def fields(self, *, person_key: str, message_hint: str, target: str = "") -> dict[str, str]:
        fields = {
            "iss": self.endpoints.issuer,
            "login_hint": person_key,
            "target_link_uri": target or self.endpoints.tool_launch_url,
            "lti_message_hint": message_hint,
            "client_id": platform.CLIENT_ID,
            "lti_deployment_id": platform.DEPLOYMENT_ID,
        }
        if self.storage:
            fields["lti_storage_target"] = STORAGE_FRAME_NAME
        return fields

    def button(self, person: Person, link: ResourceLink, testid: str) -> LaunchButton:
        fields = self.fields(person_key=person.key, message_hint=link.id, target=link.url)
        # A new tab has no course page around it, so no storage frame either.
        tab_fields = {k: v for k, v in fields.items() if k != "lti_storage_target"}
        new_tab_url = f"{self.endpoints.tool_login_url}?{urlencode(tab_fields)}"
        return LaunchButton(person=person, fields=fields, new_tab_url=new_tab_url, testid=testid)

    def assignment(self, link: ResourceLink, *, first: bool) -> Assignment:
        # The built-in assignment keeps the short test ids the browser tests use.
        suffix = "" if first else f"-{link.id}"
        launches = [self.button(p, link, f"launch-{p.key}{suffix}") for p in PEOPLE]
        columns = gradebook.lineitems_list(resource_link_id=link.id)
        return Assignment(link=link, columns=columns, launches=launches)


def _register(endpoints: platform.Endpoints) -> None:
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


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    endpoints = platform.endpoints_for(request)
    _register(endpoints)
    launcher = Launcher(request, endpoints)
    links = course.resource_links()
    added = request.GET.get("added")
    context = {
        "added": next((link for link in links if link.id == added), None),
        "course": COURSE,
        "endpoints": endpoints,
        "client_id": platform.CLIENT_ID,
        "deployment_id": platform.DEPLOYMENT_ID,
        "assignments": [launcher.assignment(link, first=i == 0) for i, link in enumerate(links)],
        "deep_link_fields": launcher.fields(
            person_key=TEACHER_KEY, message_hint=platform.DEEP_LINKING_HINT
        ),
        "teacher": person_by_key(TEACHER_KEY),
        "storage": launcher.storage,
        "storage_frame_name": STORAGE_FRAME_NAME,
    }
    return render(request, "dev_lms/home.html", context)


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
        return _text_error(str(exc))
    data = ""
    if isinstance(auth_request.message, platform.DeepLinkingMessage):
        data = deep_linking.data_issue(person=auth_request.person)
    id_token_claims = claims.id_token_claims(
        endpoints=endpoints, auth=auth_request, deep_linking_data=data
    )
    context = {
        "redirect_uri": auth_request.redirect_uri,
        "id_token": platform.sign_id_token(id_token_claims),
        "state": auth_request.state,
        "person": auth_request.person,
        # Sent again with the launch, as the LTI Client Side postMessages spec asks.
        "storage_target": STORAGE_FRAME_NAME if _uses_platform_storage(request) else "",
    }
    return render(request, "dev_lms/form_post.html", context)


@csrf_exempt  # the tool's page posts the response here, cross-site for a remote tool
@xframe_options_sameorigin  # posted from inside the course page's tool frame
@never_cache
@require_POST
def deep_link_return(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("JWT", "")
    if not token:
        return _text_error("Deep linking response refused: the form has no JWT field.")
    try:
        result = deep_linking.deep_linking_response_accept(
            token=token, endpoints=platform.endpoints_for(request)
        )
    except deep_linking.DeepLinkError as exc:
        return _text_error(f"Deep linking response refused: {exc}")
    course_url = reverse("dev_lms:home")
    if result.added:
        # A query, not only a #fragment: the top window is already on the course page, and
        # a fragment-only change would scroll it without showing the new assignment.
        link_id = result.added[0].id
        course_url += f"?{urlencode({'added': link_id})}#assignment-{link_id}"
    context = {"result": result, "course_url": course_url}
    return render(request, "dev_lms/deep_link_done.html", context)


@dataclass(frozen=True)
class GradebookRow:
    student: Person
    cells: list[tuple[gradebook.Cell, dict[str, str] | None]]  # a cell, its review launch


def _review_fields(
    launcher: Launcher, cell: gradebook.Cell, student: Person
) -> dict[str, str] | None:
    # Submission review needs a resource link (the spec's resource_link claim) and something
    # to review: the tool has sent a score for this student.
    lineitem = cell.column.lineitem
    if cell.score is None or not lineitem.get("resourceLinkId"):
        return None
    hint = platform.review_hint(lineitem_id=lineitem["id"], person_key=student.key)
    return launcher.fields(person_key=TEACHER_KEY, message_hint=hint)


@never_cache
@require_GET
def gradebook_page(request: HttpRequest) -> HttpResponse:
    launcher = Launcher(request, platform.endpoints_for(request))
    columns, rows = gradebook.gradebook_table()
    context = {
        "course": COURSE,
        "columns": columns,
        "rows": [
            GradebookRow(
                student=row.student,
                cells=[(cell, _review_fields(launcher, cell, row.student)) for cell in row.cells],
            )
            for row in rows
        ],
        "endpoints": launcher.endpoints,
        "storage": launcher.storage,
        "storage_frame_name": STORAGE_FRAME_NAME,
    }
    return render(request, "dev_lms/gradebook.html", context)


@xframe_options_sameorigin  # a hidden frame of the course page
@require_GET
def storage_frame(request: HttpRequest) -> HttpResponse:
    return render(request, "dev_lms/storage_frame.html")


@require_POST
def storage_preference(request: HttpRequest) -> HttpResponse:
    """Switch launches with platform storage (lti_storage_target) on or off."""
    response = HttpResponseRedirect(reverse("dev_lms:home"), status=303)
    if request.POST.get("use_platform_storage") == "1":
        response.set_cookie(STORAGE_COOKIE, "1", samesite="Lax", httponly=True)
    else:
        response.delete_cookie(STORAGE_COOKIE, samesite="Lax")
    return response
