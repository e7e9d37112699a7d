"""The platforms' public keys (their JWKS), which verify the launches they sign.

A JWKS is fetched with a timeout and kept in the cache (Redis) for LTI_JWKS_CACHE_TTL, with
the time it was fetched. Each process also keeps it, with the keys it has parsed, until that
same moment (fetch time + TTL, by the wall clock every process shares): a launch then reads
neither Redis nor a JWK again, and a key the platform has withdrawn is trusted for no longer
than before (at most LTI_JWKS_CACHE_TTL after the fetch that last saw it). A `kid` this
process does not know is looked up in the cache (another process may have fetched the
platform's new keys), and fetching again for it is the caller's decision (rate-limited).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache
from jwt.utils import base64url_decode
from pylti1p3.exception import LtiException

from lti_tool.lti.lms_client import lms_checked, lms_send
from storage_backends.errors import ProviderError

ALGORITHM = "RS256"  # the only one a launch may use
_RS256 = jwt.get_algorithm_by_name(ALGORITHM)
# A JWS in compact form: three base64url segments (which a platform may pad with "=").
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}")
_TIMEOUT = 5
_KEPT_PLATFORMS = 1000  # in each process; more JWKS URLs than that: start over


@dataclass
class _KeySet:
    keys: list[dict[str, Any]]
    expires_at: float  # Unix time: fetched + LTI_JWKS_CACHE_TTL
    parsed: dict[str, Any] = field(default_factory=dict)  # kid -> public key object

    def public_key(self, kid: str) -> Any | None:
        """The key with this `kid` (and RS256, the default), parsed once; None if absent."""
        if kid in self.parsed:
            return self.parsed[kid]
        for key in self.keys:
            if key.get("kid") == kid and key.get("alg", ALGORITHM) == ALGORITHM:
                try:
                    self.parsed[kid] = jwt.PyJWK(key, algorithm=ALGORITHM).key
                except (jwt.PyJWKError, ValueError, TypeError) as exc:
                    raise LtiException(f"The platform key {kid} cannot be read: {exc}") from exc
                return self.parsed[kid]
        return None


_kept: dict[str, _KeySet] = {}


def platform_public_key(key_set_url: str, kid: str, *, fresh: bool = False) -> Any | None:
    """The platform's public key `kid`, or None if its JWKS does not hold it.

    `fresh`: fetch the JWKS again whatever is kept (the platform may have rotated its key)."""
    now = time.time()
    kept = None if fresh else _kept.get(key_set_url)
    if kept is not None and kept.expires_at > now and (key := kept.public_key(kid)) is not None:
        return key
    key_set = None if fresh else _from_cache(key_set_url, now)
    if key_set is None:
        key_set = _fetch(key_set_url, now)
    if len(_kept) >= _KEPT_PLATFORMS:
        _kept.clear()
    _kept[key_set_url] = key_set
    return key_set.public_key(kid)


def verify_rs256(token: str, header: Mapping[str, object], key: Any) -> None:
    """Raise unless `key` (RSA, from `platform_public_key`) signed `token` with RS256.

    What `jwt.decode` checks for a signature, with PyJWT's own RS256 verifier, minus its
    per-character base64 check in Python (~1,500 characters an id_token: most of the CPU of
    the signature step; one regular expression here). The caller has read the header (its
    `alg` is RS256, its `kid` a string) and the body from these very segments, which the
    signature covers as sent. Headers that change how a JWS is read (`crit`, `b64`) are
    refused, as PyJWT refuses the ones it does not support."""
    if not _COMPACT_JWS.fullmatch(token):
        raise LtiException("The id_token is not a JWS in compact form")
    if "crit" in header or "b64" in header:
        raise LtiException("The id_token uses JWS extensions (crit, b64)")
    signing_input, _, signature = token.rpartition(".")
    try:
        valid = _RS256.verify(signing_input.encode(), key, base64url_decode(signature))
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise LtiException(f"The id_token's signature cannot be read: {exc}") from exc
    if not valid:
        raise LtiException("The id_token's signature does not verify with the platform's key")


def forget_platform_keys() -> None:
    """Drop what this process keeps (tests; the cache keeps its copy)."""
    _kept.clear()


def _cache_key(key_set_url: str) -> str:
    return "lti-jwks:" + hashlib.sha256(key_set_url.encode()).hexdigest()


def _from_cache(key_set_url: str, now: float) -> _KeySet | None:
    value = cache.get(_cache_key(key_set_url))
    if not isinstance(value, dict) or not isinstance(value.get("fetched_at"), float):
        return None  # absent, or kept by an older version without its fetch time
    expires_at = value["fetched_at"] + settings.LTI_JWKS_CACHE_TTL
    return _KeySet(keys=value["keys"], expires_at=expires_at) if expires_at > now else None


def _fetch(key_set_url: str, now: float) -> _KeySet:
    try:
        response = lms_send("GET", key_set_url, timeout=_TIMEOUT)
        jwks = lms_checked(response, "the platform JWKS").body
    except ProviderError as exc:
        raise LtiException(f"Cannot fetch the platform JWKS: {exc}") from exc
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise LtiException("The platform JWKS has no keys")
    keys = [key for key in keys if isinstance(key, dict)]
    value = {"keys": keys, "fetched_at": now}
    cache.set(_cache_key(key_set_url), value, timeout=settings.LTI_JWKS_CACHE_TTL)
    return _KeySet(keys=keys, expires_at=now + settings.LTI_JWKS_CACHE_TTL)
