"""Per-tenant credentials are encrypted at rest with MultiFernet.

`settings.FIELD_ENCRYPTION_KEYS` lists Fernet keys, newest first: the first encrypts,
all decrypt, so a key is rotated by prepending a new one and running
`manage.py rotate_encryption_keys` before the old one is dropped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS has a bad key: {exc}") from exc


def encrypt_json(data: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(data).encode()).decode() if data else ""


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Stored credentials cannot be decrypted with FIELD_ENCRYPTION_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def mask(value: str) -> str:
    """What an admin sees of a stored secret: enough to recognise it, never to use it."""
    return "••••" + value[-4:] if len(value) > 8 else "••••"
