"""Verifying JWTs the tool signs (client assertions, deep linking responses).

The key comes from the tool's JWKS fetched over HTTP, exactly as a real LMS does it, and
never from the tool's database: the dev LMS must catch a tool that publishes the wrong key.
"""

from __future__ import annotations

from typing import Any

import jwt
import requests

from dev_lms.platform import CLIENT_ID

JWKS_TIMEOUT_SECONDS = 5
LEEWAY_SECONDS = 10  # the tool and the LMS share a clock here, but not always a second


class ToolJwtError(Exception):
    """The JWT is not one the tool validly signed for us; the message says why."""


def fetch_tool_jwks(url: str) -> dict[str, Any]:
    """GET the tool's JWKS. Fetched on every use: a dev LMS should see a rotation at once."""
    try:
        response = requests.get(url, timeout=JWKS_TIMEOUT_SECONDS)
        response.raise_for_status()
        keys: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ToolJwtError(f"Could not fetch the tool's JWKS from {url}: {exc}") from exc
    return keys


def _signing_key(token: str, jwks_url: str) -> Any:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise ToolJwtError(f"This is not a JWT: {exc}") from exc
    if header.get("alg") != "RS256":
        raise ToolJwtError(f"The JWT must be signed with RS256, not {header.get('alg')!r}.")
    kid = header.get("kid")
    if not kid:
        raise ToolJwtError("The JWT header has no kid, so its key cannot be found.")
    for jwk in fetch_tool_jwks(jwks_url).get("keys", []):
        if jwk.get("kid") == kid:
            return jwt.PyJWK(jwk).key
    raise ToolJwtError(f"The tool's JWKS at {jwks_url} has no key with kid {kid!r}.")


def verify_tool_jwt(token: str, *, jwks_url: str, audience: str) -> dict[str, Any]:
    """The claims of a JWT the tool signed: RS256, known kid, iss = our client id, aud, exp, iat."""
    key = _signing_key(token, jwks_url)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=CLIENT_ID,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat"]},
        )
    except jwt.InvalidSignatureError as exc:
        raise ToolJwtError("The signature does not verify with the tool's published key.") from exc
    except jwt.InvalidAudienceError as exc:
        raise ToolJwtError(f"aud must be {audience}.") from exc
    except jwt.InvalidIssuerError as exc:
        raise ToolJwtError(f"iss must be the client id {CLIENT_ID!r}.") from exc
    except jwt.ExpiredSignatureError as exc:
        raise ToolJwtError("The JWT has expired (exp is in the past).") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise ToolJwtError(f"The {exc.claim} claim is missing.") from exc
    except jwt.InvalidTokenError as exc:
        raise ToolJwtError(f"The JWT is invalid: {exc}") from exc
    return claims
