"""OAuth 2 client credentials for the LTI Advantage services (IMS Security Framework 4.1).

The tool proves who it is with a JWT signed by its own key (``client_assertion``) and gets
a bearer token for the scopes it asked for. Tokens and used assertion ids live in the
Django cache, not in the JSON state: they expire on their own after an hour and a
development LMS has nothing to gain from keeping them across a cache flush.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import cache

from dev_lms.tool_jwt import ToolJwtError, verify_tool_jwt

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_TTL_SECONDS = 3600
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM = AGS_SCOPE + "lineitem"
SCOPE_LINEITEM_READONLY = AGS_SCOPE + "lineitem.readonly"
SCOPE_RESULT_READONLY = AGS_SCOPE + "result.readonly"
SCOPE_SCORE = AGS_SCOPE + "score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)
OFFERED_SCOPES = (*AGS_SCOPES, SCOPE_NRPS)

_TOKEN_KEY = "dev-lms:access-token:"  # noqa: S105 (a cache key prefix, not a secret)
_JTI_KEY = "dev-lms:assertion-jti:"


class TokenRequestError(Exception):
    """An RFC 6749 error response: `error` code, description and HTTP status."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class AccessToken:
    token: str
    scopes: tuple[str, ...]
    expires_in: int


def access_token_issue(
    *, params: Mapping[str, str], token_url: str, tool_jwks_url: str
) -> AccessToken:
    """Check a client_credentials request with a JWT client assertion; issue a token."""
    if params.get("grant_type") != "client_credentials":
        raise TokenRequestError("unsupported_grant_type", "grant_type must be client_credentials.")
    if params.get("client_assertion_type") != ASSERTION_TYPE:
        raise TokenRequestError(
            "invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}."
        )
    assertion = params.get("client_assertion", "")
    if not assertion:
        raise TokenRequestError("invalid_request", "client_assertion is missing.")
    scopes = _granted_scopes(params.get("scope", ""))
    try:
        claims = verify_tool_jwt(assertion, jwks_url=tool_jwks_url, audience=token_url)
    except ToolJwtError as exc:
        raise TokenRequestError("invalid_client", str(exc), status=401) from exc
    if claims.get("sub") != claims.get("iss"):
        raise TokenRequestError(
            "invalid_client", "sub must be the client id, like iss.", status=401
        )
    _use_jti_once(claims)
    token = secrets.token_urlsafe(32)
    cache.set(_TOKEN_KEY + token, list(scopes), TOKEN_TTL_SECONDS)
    return AccessToken(token=token, scopes=scopes, expires_in=TOKEN_TTL_SECONDS)


def _granted_scopes(requested: str) -> tuple[str, ...]:
    # No scope asked for: grant everything offered (RFC 6749 3.3 allows a default).
    if not requested.split():
        return OFFERED_SCOPES
    granted = tuple(scope for scope in requested.split() if scope in OFFERED_SCOPES)
    if not granted:
        offered = " ".join(OFFERED_SCOPES)
        raise TokenRequestError(
            "invalid_scope", f"None of the scopes is offered; offered: {offered}"
        )
    return granted


def _use_jti_once(claims: Mapping[str, object]) -> None:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise TokenRequestError("invalid_client", "The jti claim is missing.", status=401)
    # Remember the jti until the assertion has expired for sure; add() is atomic.
    ttl = max(int(str(claims["exp"])) - int(str(claims["iat"])), 60) + 60
    if not cache.add(_JTI_KEY + jti, True, ttl):
        raise TokenRequestError(
            "invalid_client", "This client_assertion (jti) was already used.", status=401
        )


class BearerError(Exception):
    """A service call without a usable token; `status` is 401 or 403 (RFC 6750 3.1)."""

    def __init__(self, error: str, description: str, *, status: int) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def bearer_check(*, authorization: str, any_of: tuple[str, ...]) -> None:
    """Require `Authorization: Bearer <token>` holding at least one of the given scopes."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerError(
            "invalid_request", "An Authorization: Bearer token is required.", status=401
        )
    scopes = cache.get(_TOKEN_KEY + token.strip())
    if scopes is None:
        raise BearerError(
            "invalid_token", "The access token is unknown or has expired.", status=401
        )
    if not set(scopes) & set(any_of):
        needed = " or ".join(any_of)
        raise BearerError("insufficient_scope", f"This call needs the scope {needed}.", status=403)
