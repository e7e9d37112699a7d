"""Verifying Stream webhook deliveries.

Cloudflare signs each POST with `Webhook-Signature: time=<unix>,sig1=<hex>` where
sig1 = HMAC-SHA256(secret, f"{time}." + raw body). Anyone can reach a webhook URL, so
nothing in a body is believed before the signature and its freshness are checked.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from storage_backends.errors import ProviderError

SIGNATURE_HEADER = "Webhook-Signature"
# Older deliveries are refused so a captured one cannot be replayed later.
MAX_AGE_SECONDS = 5 * 60
# Our clock may be a little behind Cloudflare's, but not by much.
MAX_FUTURE_SECONDS = 60


class InvalidWebhook(ProviderError):
    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True, code="webhook_invalid")


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name in any case: callers pass Django's headers or a plain dict."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(secret: str, header: str | None, body: bytes, *, now: float) -> None:
    """Raise InvalidWebhook unless `header` signs `body` with `secret` and is fresh."""
    if not header:
        raise InvalidWebhook(f"The webhook has no {SIGNATURE_HEADER} header.")
    timestamp, sig1 = _parse(header)
    if timestamp < now - MAX_AGE_SECONDS:
        raise InvalidWebhook("The webhook signature is too old.")
    if timestamp > now + MAX_FUTURE_SECONDS:
        raise InvalidWebhook("The webhook signature is dated in the future.")
    if not hmac.compare_digest(signature(secret, timestamp, body), sig1):
        raise InvalidWebhook("The webhook signature does not match.")


def _parse(header: str) -> tuple[int, str]:
    parts: dict[str, str] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts[key] = value
    timestamp, sig1 = parts.get("time", ""), parts.get("sig1", "")
    if not timestamp.isdigit() or not sig1:
        raise InvalidWebhook(f"The {SIGNATURE_HEADER} header is malformed.")
    return int(timestamp), sig1.lower()
