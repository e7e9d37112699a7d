"""What every router of the JSON API shares: the error body, the launch's claims, field types.

A module of its own so routers need not import the package `lti_tool.api`, which mounts them.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Schema

from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission

# A submission's state: its values are listed in the schema (the front end's generated types
# narrow on them) and taken from the model, whose choices stay the one rule.
SubmissionState = Annotated[str, Field(json_schema_extra={"enum": Submission.State.values})]


class ErrorOut(Schema):
    code: str
    message: str


def error_responses(*statuses: int) -> dict[int, Any]:
    """The `response=` entries documenting these error statuses."""
    return {status: ErrorOut for status in statuses}


def launch_claims(request: HttpRequest) -> LaunchClaims:
    """The launch the Bearer token proves (django-ninja's auth put it on the request)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]  # set by ninja's auth
