"""The launch token's renewal: the page asks for a fresh token while it is open."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from lti_tool.api.common import Out, error_responses, launch_claims
from lti_tool.errors import AppError
from lti_tool.launch_tokens import LaunchSessionOver, launch_token_renew

router = Router(tags=["session"])


class RenewedOut(Out):
    token: str
    expires_in: int  # seconds this token is valid, unless renewed again
    session_ends_at: datetime  # no renewal goes past this: then reopen from the course


@router.post("/session/renew", response={200: RenewedOut, **error_responses(401)})
def renew_session(request: HttpRequest) -> dict[str, object]:
    claims = launch_claims(request)
    try:
        token = launch_token_renew(claims)
    except LaunchSessionOver as exc:
        raise AppError(
            "session_over",
            _("This page has been open too long. Reopen the assignment from your course."),
            status=401,
        ) from exc
    return {
        "token": token,
        "expires_in": settings.LTI_LAUNCH_TOKEN_TTL,
        "session_ends_at": datetime.fromtimestamp(claims.session_ends_at, tz=UTC),
    }
