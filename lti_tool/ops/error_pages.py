"""The tool's own answer to every HTTP error: a page a person can read, or under /api/ the
API's `{"code", "message"}` JSON. Django's bare pages ("Server Error (500)", an empty 405)
never reach a student inside the LMS's frame.

Wired as Django's handler400/403/404/500 and CSRF failure view (config/urls.py, settings),
and by `ErrorBodyMiddleware` for errors answered with an empty body. The page is rendered
without the request's context processors, so it renders while the database is down.
"""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lti_tool.errors import ERROR_TEMPLATE, outage_error

logger = logging.getLogger(__name__)

_BODY_HEADERS = {"content-type", "content-length", "content-encoding"}


def _sentence(request: HttpRequest, status: int) -> tuple[str, str]:
    """(code, sentence) for a status."""
    if status == 405 and request.path.startswith("/lti/launch"):
        return "method_not_allowed", _(
            "This address only opens from your course. Go back to your course and open the "
            "activity again."
        )
    sentences = {
        400: ("bad_request", _("The request could not be understood. Please try again.")),
        401: ("unauthorized", _("Please sign in or open the activity from your course again.")),
        403: ("forbidden", _("You do not have access to this.")),
        404: ("not_found", _("This page does not exist. Check the address or go back.")),
        405: (
            "method_not_allowed",
            _("This address does not accept that kind of request."),
        ),
        413: ("too_large", _("What was sent is too large.")),
        429: ("rate_limited", _("Too many requests. Please wait a moment and try again.")),
        503: (
            "unavailable",
            _("The video tool is unavailable for a moment. Please try again in a minute."),
        ),
    }
    if status in sentences:
        return sentences[status]
    if status >= 500:
        return "server_error", _(
            "Something went wrong on our side. Please try again in a minute; if it keeps "
            "happening, tell your teacher or administrator."
        )
    return "client_error", _("The request could not be completed.")


def error_response(
    request: HttpRequest, status: int, *, source: HttpResponseBase | None = None
) -> HttpResponse:
    code, message = _sentence(request, status)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": code, "message": message}, status=status)
    else:
        body: str
        try:
            heading = _("The video tool could not do this (error %(status)s)") % {"status": status}
            body = render_to_string(
                ERROR_TEMPLATE, {"heading": heading, "message": message, "code": code}
            )
        except Exception:  # noqa: BLE001 - the last resort must answer something readable
            logger.exception("error page failed to render")
            body = message
        response = HttpResponse(body, status=status)
    if source is not None:  # Allow, Retry-After, Content-Range...: what the status means
        for header, value in source.items():
            if header.lower() not in _BODY_HEADERS:
                response[header] = value
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # An outage raised outside the tool's own handlers (a middleware saving the session, say)
    # is still a 503 with a sentence, not a 500.
    exc = sys.exc_info()[1]
    return error_response(request, 503 if exc is not None and outage_error(exc) else 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    logger.warning("csrf failure: %s", reason)
    return error_response(request, 403)
