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

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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


class PermissionDenied(AppError):
    def __init__(self, message: Message = _FORBIDDEN) -> None:
        super().__init__("forbidden", message, status=403)


class TooManyRequests(AppError):
    """Answered with 429 and a Retry-After header."""

    def __init__(self, message: Message, *, retry_after: int) -> None:
        super().__init__("rate_limited", message, status=429)
        self.retry_after = retry_after


def render_app_error(
    request: HttpRequest, exc: AppError, *, template: str = "lti_tool/error.html"
) -> HttpResponse:
    """The page a person sees for an AppError (the API answers JSON instead)."""
    request.app_error_code = exc.code  # type: ignore[attr-defined]  # for the launch metrics
    return render(request, template, {"message": exc.message, "code": exc.code}, status=exc.status)


class AppErrorMiddleware:
    """An AppError that a page view did not handle becomes the error page, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AppError):
            return None
        logger.warning(
            "app error path=%s code=%s: %s", request.path, exception.code, exception.message
        )
        return render_app_error(request, exception)
