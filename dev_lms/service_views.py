"""The LTI Advantage service endpoints the tool calls server to server.

OAuth 2 token (client_credentials + JWT assertion), Assignment and Grade Services 2.0
(line items, scores, results) and Names and Role Provisioning Services 2.0 (memberships).
Every service call needs a bearer token from the token endpoint with a fitting scope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dev_lms import gradebook, nrps, oauth, platform
from dev_lms.errors import ServiceError
from dev_lms.oauth import (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_NRPS,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)
from dev_lms.paging import link_header, paginate
from dev_lms.roster import COURSE

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
_ERROR_CODES = {
    400: "invalid_request",
    404: "not_found",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
}

View = Callable[..., HttpResponse]


# --- Token ---------------------------------------------------------------------------------


@csrf_exempt  # called server to server by the tool
@never_cache
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    endpoints = platform.endpoints_for(request)
    try:
        issued = oauth.access_token_issue(
            params=request.POST.dict(),
            token_url=endpoints.token_url,
            tool_jwks_url=endpoints.tool_jwks_url,
        )
    except oauth.TokenRequestError as exc:
        refusal = {"error": exc.error, "error_description": exc.description}
        return JsonResponse(refusal, status=exc.status)
    body: dict[str, object] = {
        "access_token": issued.token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": " ".join(issued.scopes),
    }
    return JsonResponse(body)


# --- Plumbing shared by the services -------------------------------------------------------


def _error(
    message: str, status: int, *, error: str = "", headers: Mapping[str, str] | None = None
) -> JsonResponse:
    body = {"error": error or _ERROR_CODES.get(status, "error"), "error_description": message}
    return JsonResponse(body, status=status, headers=headers)


def service(**scopes_by_method: tuple[str, ...]) -> Callable[[View], View]:
    """An AGS/NRPS endpoint: allowed methods, a bearer token with one of their scopes, the
    course in the URL, and ServiceError turned into a JSON error response."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @require_http_methods(list(scopes_by_method))
        @wraps(view)
        def wrapped(request: HttpRequest, context_id: str, **kwargs: str) -> HttpResponse:
            try:
                oauth.bearer_check(
                    authorization=request.headers.get("Authorization", ""),
                    any_of=scopes_by_method[request.method or "GET"],
                )
            except oauth.BearerError as exc:
                challenge = f'Bearer error="{exc.error}", error_description="{exc.description}"'
                headers = {"WWW-Authenticate": challenge}
                return _error(exc.description, exc.status, error=exc.error, headers=headers)
            try:
                if context_id != COURSE.id:
                    raise ServiceError(f"There is no course {context_id!r} here.", status=404)
                return view(request, context_id=context_id, **kwargs)
            except ServiceError as exc:
                return _error(exc.message, exc.status)

        return wrapped

    return decorate


def _require_accept(request: HttpRequest, media_type: str) -> None:
    accept = request.headers.get("Accept", "")
    acceptable = (media_type, "application/json", "application/*", "*/*")
    if accept and not any(kind in accept for kind in acceptable):
        raise ServiceError(f"This answers {media_type}; the Accept header excludes it.", status=406)


def _json_body(request: HttpRequest, media_type: str) -> Any:
    if request.content_type != media_type:
        raise ServiceError(
            f"Content-Type must be {media_type}, not {request.content_type!r}.", status=415
        )
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise ServiceError(f"The body is not JSON: {exc}") from exc


def _answer(
    body: Any, media_type: str, *, status: int = 200, link: str | None = None
) -> JsonResponse:
    response = JsonResponse(body, status=status, content_type=media_type, safe=False)
    if link:
        response["Link"] = link
    return response


def _no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    del response["Content-Type"]  # there is no body to describe
    return response


def _lineitem_json(item: Mapping[str, Any], endpoints: platform.Endpoints) -> dict[str, Any]:
    return {**item, "id": endpoints.lineitem_url(item["id"])}


# --- Assignment and Grade Services ---------------------------------------------------------


@service(GET=(SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY), POST=(SCOPE_LINEITEM,))
def lineitems(request: HttpRequest, context_id: str) -> HttpResponse:
    endpoints = platform.endpoints_for(request)
    if request.method == "POST":
        item = gradebook.lineitem_create(data=_json_body(request, LINEITEM))
        return _answer(_lineitem_json(item, endpoints), LINEITEM, status=201)
    _require_accept(request, LINEITEM_CONTAINER)
    items = gradebook.lineitems_list(
        resource_link_id=request.GET.get("resource_link_id"),
        resource_id=request.GET.get("resource_id"),
        tag=request.GET.get("tag"),
    )
    page = paginate(items, params=request.GET.dict(), url=endpoints.lineitems_url)
    body = [_lineitem_json(item, endpoints) for item in page.items]
    return _answer(body, LINEITEM_CONTAINER, link=link_header(page))


@service(
    GET=(SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY), PUT=(SCOPE_LINEITEM,), DELETE=(SCOPE_LINEITEM,)
)
def lineitem(request: HttpRequest, context_id: str, lineitem_id: str) -> HttpResponse:
    endpoints = platform.endpoints_for(request)
    if request.method == "DELETE":
        gradebook.lineitem_delete(lineitem_id=lineitem_id)
        return _no_content()
    if request.method == "PUT":
        data = _json_body(request, LINEITEM)
        item = gradebook.lineitem_update(lineitem_id=lineitem_id, data=data)
    else:
        _require_accept(request, LINEITEM)
        item = gradebook.lineitem_get(lineitem_id)
    return _answer(_lineitem_json(item, endpoints), LINEITEM)


@service(POST=(SCOPE_SCORE,))
def scores(request: HttpRequest, context_id: str, lineitem_id: str) -> HttpResponse:
    gradebook.score_record(lineitem_id=lineitem_id, data=_json_body(request, SCORE))
    return _no_content()


@service(GET=(SCOPE_RESULT_READONLY,))
def results(request: HttpRequest, context_id: str, lineitem_id: str) -> HttpResponse:
    _require_accept(request, RESULT_CONTAINER)
    lineitem_url = platform.endpoints_for(request).lineitem_url(lineitem_id)
    item = gradebook.lineitem_get(lineitem_id)
    found = gradebook.results_list(lineitem_id=lineitem_id, user_id=request.GET.get("user_id"))
    page = paginate(found, params=request.GET.dict(), url=f"{lineitem_url}/results")
    body = [_result_json(score, item, lineitem_url) for score in page.items]
    return _answer(body, RESULT_CONTAINER, link=link_header(page))


def _result_json(
    score: Mapping[str, Any], lineitem: Mapping[str, Any], lineitem_url: str
) -> dict[str, Any]:
    # A result is on the line item's scale; the tool's score may use its own maximum.
    maximum = lineitem["scoreMaximum"]
    result = {
        "id": f"{lineitem_url}/results?{urlencode({'user_id': score['userId']})}",
        "scoreOf": lineitem_url,
        "userId": score["userId"],
        "resultMaximum": maximum,
    }
    if "scoreGiven" in score:
        result["resultScore"] = round(score["scoreGiven"] / score["scoreMaximum"] * maximum, 4)
    if "comment" in score:
        result["comment"] = score["comment"]
    return result


# --- Names and Role Provisioning Services --------------------------------------------------


@service(GET=(SCOPE_NRPS,))
def memberships(request: HttpRequest, context_id: str) -> HttpResponse:
    _require_accept(request, nrps.MEMBERSHIP_CONTAINER)
    url = platform.endpoints_for(request).memberships_url
    body, page = nrps.membership_container(
        context_id=context_id, params=request.GET.dict(), url=url
    )
    return _answer(body, nrps.MEMBERSHIP_CONTAINER, link=link_header(page))
