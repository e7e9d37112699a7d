"""OPTIONS are checked when the backend loads: bad configuration fails at start."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured

from storage_backends.base import StorageBackend, TusCreationForwarding, WebhookReceiver
from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.registry import load_backend
from tests.storage.cloudflare.conftest import StreamKey

BASE = {"account_id": "acc", "api_token": "token"}


def ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_it_is_a_storage_backend_with_tus_forwarding_and_webhooks() -> None:
    backend = CloudflareStreamBackend(**BASE)
    assert backend.name == "cloudflare"
    assert isinstance(backend, StorageBackend | TusCreationForwarding | WebhookReceiver)
    assert isinstance(backend, TusCreationForwarding) and isinstance(backend, WebhookReceiver)
    assert backend.api.base_url == "https://api.cloudflare.com/client/v4/accounts/acc/stream"
    assert backend.max_duration_seconds == 21600


def test_unknown_and_missing_options_fail_at_load_time() -> None:
    with pytest.raises(ImproperlyConfigured, match="bucket"):
        CloudflareStreamBackend(**BASE, bucket="x")
    with pytest.raises(ImproperlyConfigured):
        load_backend(
            {
                "BACKEND": "storage_backends.cloudflare.CloudflareStreamBackend",
                "OPTIONS": {**BASE, "bucket": "x"},
            }
        )
    with pytest.raises(ImproperlyConfigured):
        load_backend(
            {
                "BACKEND": "storage_backends.cloudflare.CloudflareStreamBackend",
                "OPTIONS": {"account_id": "acc"},
            }
        )


@pytest.mark.parametrize(
    "options",
    [
        {"account_id": ""},
        {"api_token": "  "},
        {"api_base": "ftp://api.example"},
        {"delivery_base": "customer-abc.cloudflarestream.com"},
        {"max_duration_seconds": 0},
        {"max_duration_seconds": 21601},
        {"max_duration_seconds": "600"},
        {"max_duration_seconds": True},
        {"ticket_ttl": 0},
        {"signing_key_id": "abc"},  # a half-set pair
        {"signing_key_pem": "-----BEGIN PRIVATE KEY-----"},
        {"signing_key_id": "abc", "signing_key_pem": "not a key"},
        {"signing_key_id": "abc", "signing_key_pem": "LS0tLS1CRUdJTg=="},  # base64 of junk PEM
    ],
)
def test_bad_options_are_improperly_configured(options: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured):
        CloudflareStreamBackend(**{**BASE, **options})


def test_a_signing_key_must_be_rsa() -> None:
    with pytest.raises(ImproperlyConfigured, match="RSA"):
        CloudflareStreamBackend(**BASE, signing_key_id="abc", signing_key_pem=ec_pem())


def test_the_key_may_be_given_as_cloudflare_shows_it_base64_encoded(
    stream_key: StreamKey,
) -> None:
    shown = base64.b64encode(stream_key.pem.encode()).decode()
    backend = CloudflareStreamBackend(**BASE, signing_key_id=stream_key.id, signing_key_pem=shown)
    assert backend.signer is not None and backend.signer.key_id == stream_key.id


@pytest.mark.parametrize("seconds", [1, 21600])
def test_the_duration_limits_are_inclusive(seconds: int) -> None:
    assert CloudflareStreamBackend(**BASE, max_duration_seconds=seconds)
