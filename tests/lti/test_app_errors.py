"""One error model: an AppError is JSON for the API and a page for page views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy

from lti_tool.errors import AppError, AppErrorMiddleware, NotFound


def _raising(exc: AppError):  # type: ignore[no-untyped-def]
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


def test_an_app_error_a_page_view_lets_through_becomes_the_error_page() -> None:
    request = RequestFactory().get("/lti/somewhere")
    middleware = AppErrorMiddleware(lambda r: HttpResponse())
    exc = AppError("closed", "This assignment is closed.", status=409)

    response = middleware.process_exception(request, exc)

    assert response is not None and response.status_code == 409
    assert "This assignment is closed." in response.content.decode()
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_messages_are_rendered_in_the_active_language_when_shown() -> None:
    exc = NotFound(gettext_lazy("Not found."))
    with translation.override("en"):
        assert exc.as_dict() == {"code": "not_found", "message": "Not found."}
    assert exc.status == 404
