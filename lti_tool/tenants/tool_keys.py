"""The tool's own RSA keys: created on first need, rotated by command, published as JWKS."""

from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from lti_tool.models import ToolKey

_create_lock = threading.Lock()


def current_tool_key() -> ToolKey:
    """The key that signs now; made on first need (a race makes one, the loser reads it)."""
    key = ToolKey.objects.filter(is_current=True).first()
    if key is not None:
        return key
    with _create_lock:
        try:
            with transaction.atomic():
                return _create_key()
        except IntegrityError:
            return ToolKey.objects.get(is_current=True)


def tool_key_rotate() -> ToolKey:
    """Add a new current key; the old one stays published until it is retired."""
    with transaction.atomic():
        ToolKey.objects.filter(is_current=True).update(is_current=False)
        return _create_key()


class KeyNotRetirable(Exception):
    pass


def tool_key_retire(*, kid: str) -> None:
    """Stop publishing an old key. The current key cannot be retired: rotate first."""
    key = ToolKey.objects.filter(kid=kid).first()
    if key is None:
        raise KeyNotRetirable(f"No tool key has the kid {kid}.")
    if key.is_current:
        raise KeyNotRetirable(f"{kid} is the current key; rotate to a new key first.")
    ToolKey.objects.filter(pk=key.pk).update(retired_at=timezone.now())


def tool_jwks() -> dict[str, list[dict[str, str]]]:
    current_tool_key()  # an LMS may fetch our JWKS at registration, before any launch
    keys = ToolKey.objects.filter(retired_at__isnull=True).order_by("-is_current", "-created_at")
    return {"keys": [key.public_jwk for key in keys]}


def sign_as_tool(claims: dict[str, Any]) -> str:
    """An RS256 JWT from the tool, with the current key's kid (platforms check our JWKS)."""
    key = current_tool_key()
    return jwt.encode(
        claims, private_key_object(key.kid), algorithm="RS256", headers={"kid": key.kid}
    )


@lru_cache(maxsize=8)
def private_key_object(kid: str) -> rsa.RSAPrivateKey:
    """Loaded once per process: parsing a PEM costs ~26 ms, signing ~0.2 ms."""
    pem = ToolKey.objects.values_list("private_key_pem", flat=True).get(kid=kid)
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _create_key() -> ToolKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    kid = _thumbprint(jwk)
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk, is_current=True)


def _thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 thumbprint: a kid that is stable for the key and says nothing else."""
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
