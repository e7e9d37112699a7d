"""The dev LMS with the tool's LTI endpoints replaced by stubs: these tests pin down only
what the platform does; the tool's own tests play the platform with their own signer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def _tool_stub(request: HttpRequest) -> HttpResponse:
    return HttpResponse("tool")


_lti_stub_patterns = (
    [
        path("login/", _tool_stub, name="login"),
        path("launch/", _tool_stub, name="launch"),
        path("jwks/", _tool_stub, name="jwks"),  # the JWKS itself comes from `tool_jwks`
    ],
    "lti",
)
urlpatterns = [
    path("lti/", include(_lti_stub_patterns)),
    path("dev-lms/", include("dev_lms.urls")),
]
