"""What an administrator must fix before Cloudflare Stream works end to end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage_backends.base import StorageError

if TYPE_CHECKING:
    from storage_backends.cloudflare.backend import CloudflareStreamBackend


def configuration_problems(backend: CloudflareStreamBackend) -> list[str]:
    """One sentence per problem. Talks to the API (a few calls), never raises."""
    try:
        # Listing keys proves the token works for Stream and shows whether ours still exists.
        keys = backend.api.result("GET", "/keys") or []
    except StorageError as exc:
        return [f"The Cloudflare API token does not work for Stream: {exc.message}"]
    problems = []
    if backend.signer is None:
        problems.append("No signing key: create one, or videos cannot be played.")
    elif backend.signer.key_id not in {str(key.get("id")) for key in keys}:
        problems.append(f"The signing key {backend.signer.key_id} no longer exists at "
                        "Cloudflare: create a new one.")
    if not backend.delivery_base:
        problems.append("No delivery_base (https://customer-<code>.cloudflarestream.com).")
    problems.extend(_webhook_problems(backend))
    return problems


def _webhook_problems(backend: CloudflareStreamBackend) -> list[str]:
    if not backend.webhook_secret:
        return ["No webhook: subscribe one, or videos are only seen ready by polling."]
    try:
        response = backend.api.call("GET", "/webhook", missing_ok=True)
    except StorageError as exc:
        return [f"Cannot read the webhook subscription: {exc.message}"]
    if response is None or not (response.result or {}).get("notificationUrl"):
        return ["The webhook subscription is gone at Cloudflare: subscribe again."]
    return []
