"""The Cloudflare Stream backend's options, declared once (storage_backends/options.py
checks unknown keys, required ones and the signing-key pair at load time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured

from storage_backends.cloudflare.tokens import PlaybackSigner, load_signing_key
from storage_backends.options import BackendOptions, option

MAX_DURATION_SECONDS = 21600  # Stream's own ceiling for maxDurationSeconds (6 hours)
DEFAULT_API_BASE = "https://api.cloudflare.com/client/v4"


@dataclass(frozen=True, kw_only=True)
class CloudflareOptions(BackendOptions):
    provider: ClassVar[str] = "Cloudflare Stream"
    secret_options: ClassVar[frozenset[str]] = frozenset(
        {"api_token", "signing_key_pem", "webhook_secret"}
    )
    together: ClassVar[tuple[tuple[str, ...], ...]] = (("signing_key_id", "signing_key_pem"),)

    account_id: str = option(label="Account id")
    api_token: str = option(label="API token", help_text="A token with Stream:Edit.")
    api_base: str = option(DEFAULT_API_BASE, label="API base URL")
    delivery_base: str = option(
        "", label="Delivery base", help_text="https://customer-<code>.cloudflarestream.com"
    )
    signing_key_id: str = option("", label="Signing key id")
    signing_key_pem: str = option("", label="Signing key (PEM)", multiline=True)
    webhook_secret: str = option("", label="Webhook secret")
    max_duration_seconds: int = option(MAX_DURATION_SECONDS, label="Longest video (s)")
    ticket_ttl: int | None = option(None, label="Upload ticket lifetime (s)")
    upload_url: str = option(
        "", label="tus creation URL", help_text="Blank: this tool's own endpoint."
    )

    def check(self) -> None:
        for name in ("account_id", "api_token"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ImproperlyConfigured(f"Cloudflare Stream needs {name}.")
        for name in ("api_base", "delivery_base"):
            url = getattr(self, name)
            if url and not url.startswith(("https://", "http://")):
                raise ImproperlyConfigured(f"Cloudflare Stream {name} must be an http(s) URL.")
        if not _int_between(self.max_duration_seconds, 1, MAX_DURATION_SECONDS):
            raise ImproperlyConfigured(
                f"Cloudflare Stream max_duration_seconds must be 1..{MAX_DURATION_SECONDS}."
            )
        if self.ticket_ttl is not None and not _int_between(self.ticket_ttl, 1, 7 * 24 * 3600):
            raise ImproperlyConfigured(
                "Cloudflare Stream ticket_ttl must be a positive number "
                "of seconds (at most a week)."
            )


def load_signer(key_id: str, pem: str) -> PlaybackSigner | None:
    """The signer for a configured key, None without one (the pair is checked on load)."""
    if not key_id or not pem:
        return None
    try:
        return PlaybackSigner(key_id, load_signing_key(pem))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Cloudflare Stream signing_key_pem: {exc}") from exc


def _int_between(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
