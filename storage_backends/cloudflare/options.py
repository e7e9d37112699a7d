"""Checking the backend's OPTIONS at load time: bad configuration fails at start."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from storage_backends.cloudflare.tokens import PlaybackSigner, load_signing_key

MAX_DURATION_SECONDS = 21600  # Stream's own ceiling for maxDurationSeconds (6 hours)


def check_options(
    *,
    account_id: str,
    api_token: str,
    api_base: str,
    delivery_base: str,
    max_duration_seconds: int,
    ticket_ttl: int | None,
) -> None:
    for name, value in (("account_id", account_id), ("api_token", api_token)):
        if not isinstance(value, str) or not value.strip():
            raise ImproperlyConfigured(f"Cloudflare Stream needs {name}.")
    for name, url in (("api_base", api_base), ("delivery_base", delivery_base)):
        if url and not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"Cloudflare Stream {name} must be an http(s) URL.")
    if not _int_between(max_duration_seconds, 1, MAX_DURATION_SECONDS):
        raise ImproperlyConfigured(
            f"Cloudflare Stream max_duration_seconds must be 1..{MAX_DURATION_SECONDS}."
        )
    if ticket_ttl is not None and not _int_between(ticket_ttl, 1, 7 * 24 * 3600):
        raise ImproperlyConfigured("Cloudflare Stream ticket_ttl must be a positive number of "
                                   "seconds (at most a week).")


def load_signer(key_id: str, pem: str) -> PlaybackSigner | None:
    """The signer for a configured key, None without one; a half-set pair is an error."""
    if not key_id and not pem:
        return None
    if not key_id or not pem:
        raise ImproperlyConfigured(
            "Cloudflare Stream needs signing_key_id and signing_key_pem together."
        )
    try:
        return PlaybackSigner(key_id, load_signing_key(pem))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Cloudflare Stream signing_key_pem: {exc}") from exc


def _int_between(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
