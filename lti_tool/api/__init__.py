"""The JSON API the launch pages call, authenticated by the launch token (Bearer).

One router per area, each in its own module; errors become JSON here, in one place.
"""

from __future__ import annotations

import logging

import pydantic_core
import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.operation import Operation
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from lti_tool.errors import OUTAGE_ERRORS, AppError, NotFound, TooManyRequests, outage_error
from lti_tool.launch_tokens import LaunchClaims, launch_token_read_once
from lti_tool.models import Submission

logger = logging.getLogger(__name__)


class LaunchTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> LaunchClaims | None:
        claims = launch_token_read_once(request, token)
        if claims is None:
            return None
        structlog.contextvars.bind_contextvars(tenant=claims.tenant_id, user=claims.user_id)
        return claims


class RustJSONRenderer(JSONRenderer):
    """The answers' JSON written by pydantic-core in one call, not by the json module, whose
    encoder calls back into Python for each date: ~0.1 ms off an upload ticket. The same JSON,
    but that dates keep their microseconds (Django's encoder cuts them to milliseconds)."""

    _fallback = NinjaJSONEncoder().default  # what else ninja writes: lazy translations, URLs

    def render(self, request: HttpRequest, data: object, *, response_status: int) -> bytes:
        return pydantic_core.to_json(data, fallback=self._fallback)


class VideoAssignmentsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's name, not ninja's module-path prefix: the front end's generated types
        # (frontend/src/api-schema.d.ts) then survive moving a router to another module.
        return operation.view_func.__name__


api = VideoAssignmentsAPI(
    title="Video assignments API",
    version="1",
    auth=LaunchTokenAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs" if settings.API_DOCS else None,  # off in production unless API_DOCS=1
    urls_namespace="api",
    renderer=RustJSONRenderer(),
)


@api.exception_handler(AppError)
def app_error(request: HttpRequest, exc: AppError) -> HttpResponse:
    """Every refusal the API answers becomes `{"code", "message"}` JSON here."""
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def launch_expired(request: HttpRequest, exc: Exception) -> HttpResponse:
    return app_error(
        request,
        AppError(
            "launch_expired",
            _("Your session has expired. Please reopen the assignment from your course."),
            status=401,
        ),
    )


@api.exception_handler(ValidationError)
def bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = ", ".join(str(error["loc"][-1]) for error in exc.errors)
    return app_error(
        request,
        AppError(
            "bad_request", _("The request is missing or has bad: %(fields)s.") % {"fields": fields}
        ),
    )


def outage(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The database, Redis or the broker did not answer in time: 503 with a sentence."""
    error = outage_error(exc) if isinstance(exc, Exception) else None
    if error is None:
        raise exc  # not an outage (an integrity error...): Django's 500
    logger.error("outage path=%s: %r", request.path, exc)
    return app_error(request, error)


for _outage_class in OUTAGE_ERRORS:
    api.add_exception_handler(_outage_class, outage)


@api.exception_handler(Submission.DoesNotExist)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return app_error(request, NotFound())


api.add_router("/", "lti_tool.api.submissions.router")  # the student's and the teacher's lists
api.add_router("/", "lti_tool.api.uploads.router")  # S3 multipart signing
api.add_router("/", "lti_tool.api.roster.router")  # GET /roster
api.add_router("/", "lti_tool.api.grades.router")  # grades and their sync to the LMS
api.add_router("/", "lti_tool.api.deletion.router")  # delete, withdraw, retention expiry
api.add_router("/", "lti_tool.api.queue.router")  # the grading queue and "Release grades"
api.add_router("/", "lti_tool.api.feedback.router")  # time-stamped comments, released feedback
api.add_router("/", "lti_tool.api.session.router")  # POST /session/renew (launch token)
