"""What an administrator must fix before Cloudflare Stream works end to end."""

from __future__ import annotations

from storage_backends.cloudflare.api import StreamAPI
from storage_backends.cloudflare.tokens import PlaybackSigner
from storage_backends.errors import ProviderError


def configuration_problems(
    *, api: StreamAPI, signer: PlaybackSigner | None, delivery_base: str, webhook_secret: str
) -> list[str]:
    """One sentence per problem. Talks to the API (a few calls), never raises.

    Takes the backend's parts, not the backend, so this module does not import it."""
    try:
        # Listing keys proves the token works for Stream and shows whether ours still exists.
        keys = api.result("GET", "/keys") or []
    except ProviderError as exc:
        return [f"The Cloudflare API token does not work for Stream: {exc.message}"]
    problems = []
    if signer is None:
        problems.append("No signing key: create one, or videos cannot be played.")
    elif signer.key_id not in {str(key.get("id")) for key in keys}:
        problems.append(
            f"The signing key {signer.key_id} no longer exists at Cloudflare: create a new one."
        )
    if not delivery_base:
        problems.append("No delivery_base (https://customer-<code>.cloudflarestream.com).")
    problems.extend(_webhook_problems(api, webhook_secret))
    return problems


def _webhook_problems(api: StreamAPI, webhook_secret: str) -> list[str]:
    if not webhook_secret:
        return ["No webhook: subscribe one, or videos are only seen ready by polling."]
    try:
        response = api.call("GET", "/webhook", missing_ok=True)
    except ProviderError as exc:
        return [f"Cannot read the webhook subscription: {exc.message}"]
    if response is None or not (response.result or {}).get("notificationUrl"):
        return ["The webhook subscription is gone at Cloudflare: subscribe again."]
    return []
