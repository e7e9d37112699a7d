"""The launch token: after the launch the page proves who it is with this, not a cookie.

Third-party cookies are blocked in iframes by Safari and increasingly by Chrome, so the
launch page carries a short-lived token signed by us, sent as `Authorization: Bearer`.

While the page is open it renews its token (sliding: each renewal lives LTI_LAUNCH_TOKEN_TTL),
but never past LTI_LAUNCH_SESSION_MAX from the launch itself: then the student reopens the
assignment from the course (a new launch, with the LMS's say on who they are).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Literal

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

Role = Literal["student", "teacher"]
_SALT = "lti_tool.launch_token"
_READ_ON_REQUEST = "_launch_token_read"


class InvalidLaunchToken(Exception):
    pass


class LaunchSessionOver(InvalidLaunchToken):
    """The token is genuine but its launch is older than LTI_LAUNCH_SESSION_MAX."""


@dataclass(frozen=True)
class LaunchClaims:
    tenant_id: int
    user_id: int
    course_id: int
    assignment_id: int
    role: Role
    # Kept from the launch, so later requests with the token answer in the launch's language
    # and the pages keep their way back to the course (empty: none given).
    language: str = ""
    return_url: str = ""
    document_target: str = ""
    launched_at: int = 0  # Unix time of the LTI launch: renewals keep it

    @property
    def session_ends_at(self) -> int:
        return self.launched_at + settings.LTI_LAUNCH_SESSION_MAX


def launch_token_issue(claims: LaunchClaims) -> str:
    if not claims.launched_at:
        claims = replace(claims, launched_at=int(time.time()))
    # `vars`, not `asdict`: its fields are plain values, nothing to deep-copy.
    return signing.dumps(vars(claims), salt=_SALT, compress=True)


def launch_token_renew(claims: LaunchClaims) -> str:
    """A fresh token for the same launch (the caller read `claims` from a valid token)."""
    if claims.launched_at and time.time() >= claims.session_ends_at:
        raise LaunchSessionOver("session over")
    return launch_token_issue(claims)


def launch_token_read(token: str) -> LaunchClaims:
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.LTI_LAUNCH_TOKEN_TTL)
        claims = LaunchClaims(**data)
    except signing.SignatureExpired as exc:
        raise InvalidLaunchToken("expired") from exc
    except (signing.BadSignature, TypeError) as exc:
        raise InvalidLaunchToken("invalid") from exc
    if claims.launched_at and time.time() >= claims.session_ends_at:
        raise LaunchSessionOver("session over")
    return claims


def launch_token_read_once(request: HttpRequest, token: str) -> LaunchClaims | None:
    """`launch_token_read` of the request's Bearer token, None if not valid, kept on the
    request: the language middleware and the API's authentication both need it."""
    kept: tuple[str, LaunchClaims | None] | None = getattr(request, _READ_ON_REQUEST, None)
    if kept is not None and kept[0] == token:
        return kept[1]
    try:
        claims: LaunchClaims | None = launch_token_read(token)
    except InvalidLaunchToken:
        claims = None
    setattr(request, _READ_ON_REQUEST, (token, claims))
    return claims
