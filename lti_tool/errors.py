"""One error type for users: a code, an HTTP status and a sentence a person understands.

The sentence is translatable: raise with `gettext`/`gettext_lazy` text, values put in
with `%(name)s` placeholders (`_("... %(size)s ...") % {"size": ...}`), never f-strings,
so translators see one sentence. It is rendered in one place per kind of response: the
django-ninja exception handler of the API (JSON `{"code", "message"}`), and
`render_app_error` for pages (used by the page views' own handlers and by
`AppErrorMiddleware` for anything they let through).

Failures of outside services (storage, LMS) are `storage_backends.errors.ProviderError`;
the service that calls them decides which AppError, if any, a person sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis.exceptions
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)
Message = str | Promise  # a lazy translation is rendered in the request's language


class AppError(Exception):
    def __init__(self, code: str, message: Message, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self._message = message
        self.status = status

    @property
    def message(self) -> str:
        """The sentence, in the active language."""
        return str(self._message)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


_NOT_FOUND = _("Not found.")
_FORBIDDEN = _("You do not have access to this.")


class NotFound(AppError):
    def __init__(self, message: Message = _NOT_FOUND) -> None:
        super().__init__("not_found", message, status=404)


class SubmissionNotFound(NotFound):
    """A submission that is missing and one that is someone else's answer alike: 404, not
    403, so that its existence is not disclosed either."""

    def __init__(self) -> None:
        super().__init__(_("This submission does not exist or is not yours to see."))


class PermissionDenied(AppError):
    def __init__(self, message: Message = _FORBIDDEN) -> None:
        super().__init__("forbidden", message, status=403)


class TooManyRequests(AppError):
    """Answered with 429 and a Retry-After header."""

    def __init__(self, message: Message, *, retry_after: int) -> None:
        super().__init__("rate_limited", message, status=429)
        self.retry_after = retry_after


class ServiceUnavailable(AppError):
    """The database, Redis or the broker is down or too slow: try again shortly (503)."""

    def __init__(self) -> None:
        super().__init__("service_unavailable", _OUTAGE, status=503)


_OUTAGE = _(
    "The service is briefly unavailable: one of its parts is not answering. Nothing you "
    "saved is lost. Please try again in a minute."
)
# What a database, Redis or broker outage raises, once its connect or statement timeout
# (config/settings.py) has run out: answered as ServiceUnavailable, not a bare 500.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    DatabaseError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    BrokerError,
)


def outage_error(exc: BaseException) -> AppError | None:
    """The 503 a person sees for an outage of the database, Redis or the broker."""
    if isinstance(exc, DatabaseError) and not _is_outage(exc):
        return None  # an integrity or programming error is a bug: a 500
    return ServiceUnavailable() if isinstance(exc, OUTAGE_ERRORS) else None


def _is_outage(exc: DatabaseError) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


# Every error page, the launch's, the registration's and those of HTTP statuses
# (`lti_tool.ops.error_pages`): a heading saying what failed, then the sentence.
ERROR_TEMPLATE = "lti_tool/error.html"


def render_app_error(
    request: HttpRequest, exc: AppError, *, heading: Message | None = None
) -> HttpResponse:
    """The page a person sees for an AppError (the API answers JSON instead); `heading`
    says what failed (by default: what the person asked for)."""
    request.app_error_code = exc.code  # type: ignore[attr-defined]  # for the launch metrics
    context = {
        "heading": heading or _("The video tool could not do this"),
        "message": exc.message,
        "code": exc.code,
    }
    return render(request, ERROR_TEMPLATE, context, status=exc.status)


class AppErrorMiddleware:
    """An AppError that a page view did not handle becomes the error page, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = exception if isinstance(exception, AppError) else outage_error(exception)
        if error is None:
            return None
        if error is not exception:
            logger.error("outage path=%s: %r", request.path, exception)
        else:
            logger.warning("app error path=%s code=%s: %s", request.path, error.code, error.message)
        if request.path.startswith("/api/"):  # the API's own handler missed it (outages)
            return JsonResponse(error.as_dict(), status=error.status)
        return render_app_error(request, error)
