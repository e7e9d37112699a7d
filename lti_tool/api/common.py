"""What every router of the JSON API shares: the error body and the launch's claims.

A module of its own so routers need not import the package `lti_tool.api`, which mounts them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema

from lti_tool.launch_tokens import LaunchClaims


class ErrorOut(Schema):
    code: str
    message: str


def error_responses(*statuses: int) -> dict[int, Any]:
    """The `response=` entries documenting these error statuses."""
    return {status: ErrorOut for status in statuses}


def launch_claims(request: HttpRequest) -> LaunchClaims:
    """The launch the Bearer token proves (django-ninja's auth put it on the request)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]  # set by ninja's auth
