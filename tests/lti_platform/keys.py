"""The platform's signing key, and strict checking of the JWTs a tool sends.

Plain PyJWT here: lti1p3platform decodes tool JWTs with `verify_aud` off, never checks
`iss`, `jti` or a missing `exp`, fetches the tool's JWKS once and never again, and loads
the platform key from PEM for every signature (~26 ms each).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

LEEWAY = 5  # seconds: platform and tool share this machine's clock
JWKS_TIMEOUT = 5


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class PlatformKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, str]

    @classmethod
    def generate(cls) -> PlatformKey:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = private_key.public_key().public_numbers()
        required = {"e": _b64uint(numbers.e), "kty": "RSA", "n": _b64uint(numbers.n)}
        canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
        kid = _b64url(hashlib.sha256(canonical).digest())  # RFC 7638 thumbprint
        return cls(private_key, kid, {**required, "kid": kid, "alg": "RS256", "use": "sig"})

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"}
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [self.public_jwk]}


class ToolJwtError(Exception):
    """A JWT from the tool that the platform refuses; the message says why."""


class ToolKeySet:
    """The tool's JWKS, fetched over HTTP and fetched again once when a new kid appears."""

    def __init__(self, url: str | None, static: dict[str, Any] | None = None) -> None:
        self.url = url
        self._static = static
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def key_for(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:
                self._load()
            if kid not in self._keys:
                raise ToolJwtError(f"kid {kid!r} is not in the tool's JWKS ({self.url})")
            return self._keys[kid]

    def _load(self) -> None:
        document = self._static if self._static is not None else self._fetch()
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise ToolJwtError(f"the tool's JWKS at {self.url} has no `keys` list")
        for jwk in keys:
            if isinstance(jwk, dict) and jwk.get("kid") and jwk.get("kty") == "RSA":
                self._keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm="RS256").key

    def _fetch(self) -> Any:
        if not self.url:
            raise ToolJwtError("no tool JWKS URL: set lms.tool_url (or lms.tool_jwks)")
        try:
            response = requests.get(self.url, timeout=JWKS_TIMEOUT)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ToolJwtError(f"cannot fetch the tool's JWKS at {self.url}: {exc}") from exc


def verify_tool_jwt(
    token: str,
    keys: ToolKeySet,
    *,
    audience: str,
    issuer: str | None = None,
    require: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Signature (RS256, by kid), aud, iss, exp and iat, strictly; returns the claims."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise ToolJwtError(f"not a JWT: {exc}") from exc
    if header.get("alg") != "RS256":
        raise ToolJwtError(f"alg must be RS256, got {header.get('alg')!r}")
    if not header.get("kid"):
        raise ToolJwtError("the JWT header has no kid")
    key = keys.key_for(str(header["kid"]))
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", *require], "verify_iat": True},
        )
    except jwt.InvalidTokenError as exc:
        raise ToolJwtError(f"{type(exc).__name__}: {exc}") from exc
