"""What every router of the JSON API shares: the error body, the launch's claims, field types.

A module of its own so routers need not import the package `lti_tool.api`, which mounts them.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field
from pydantic import BaseModel, ConfigDict

from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission

# A submission's state: its values are listed in the schema (the front end's generated types
# narrow on them) and taken from the model, whose choices stay the one rule.
SubmissionState = Annotated[str, Field(json_schema_extra={"enum": Submission.State.values})]


class Out(BaseModel):
    """An answer of the API, read from what the view returns: a dict, or the attributes of a
    model or dataclass (a model's properties included, e.g. `Submission.state_label`).

    Not django-ninja's `Schema`: it wraps every object it reads (nested ones too) in a
    Python getter with resolver lookups, which doubled the cost of an answer (an upload
    ticket's: ~300 us against ~150 us here, bench/README.md); pydantic reads attributes
    itself. Requests keep `Schema`."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(Out):
    code: str
    message: str


def error_responses(*statuses: int) -> dict[int, Any]:
    """The `response=` entries documenting these error statuses."""
    return {status: ErrorOut for status in statuses}


def launch_claims(request: HttpRequest) -> LaunchClaims:
    """The launch the Bearer token proves (django-ninja's auth put it on the request)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]  # set by ninja's auth
