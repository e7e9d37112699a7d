"""Webhooks: the fake delivers a signed POST when processing ends; parse_webhook checks it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.errors import ProviderError
from tests.fakes.cloudflare_stream import MIN_CHUNK, FakeCloudflareStream, upload_with_tus
from tests.storage.cloudflare.conftest import VIDEO, WebhookReceiver, make_backend, start_upload


def sign(secret: str, body: bytes, stamp: int) -> dict[str, str]:
    sig1 = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Webhook-Signature": f"time={stamp},sig1={sig1}"}


def delivered(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, receiver: WebhookReceiver
) -> tuple[str, dict[str, str], bytes]:
    """Upload a video, let processing end, and return (uid, headers, body) as received."""
    _, location, uid = start_upload(backend)
    upload_with_tus(location, VIDEO, MIN_CHUNK)
    stream.finish_processing()
    assert receiver.arrived.wait(5)
    ((headers, body),) = receiver.received
    return uid, headers, body


def test_the_ready_webhook_arrives_signed_and_is_accepted(
    backend: CloudflareStreamBackend,
    stream: FakeCloudflareStream,
    webhook_receiver: WebhookReceiver,
) -> None:
    uid, headers, body = delivered(backend, stream, webhook_receiver)
    event = backend.parse_webhook(headers, body)
    assert event.video_id == uid
    assert (event.metadata.state, event.metadata.ready, event.metadata.duration_seconds) == (
        "ready",
        True,
        12.0,
    )
    # Header names in any case (Django's request.headers, a plain dict, a WSGI environ copy).
    lowered = {name.lower(): value for name, value in headers.items()}
    assert backend.parse_webhook(lowered, body).video_id == uid
    assert stream.deliveries[0].status == 200


def test_a_failed_video_is_reported_by_webhook_too(
    backend: CloudflareStreamBackend,
    stream: FakeCloudflareStream,
    webhook_receiver: WebhookReceiver,
) -> None:
    stream.fail_processing()
    _, headers, body = delivered(backend, stream, webhook_receiver)
    event = backend.parse_webhook(headers, body)
    assert (event.metadata.state, event.metadata.error_code) == ("error", "ERR_NON_VIDEO")


def test_tampered_body_and_wrong_secret_are_refused(
    backend: CloudflareStreamBackend,
    stream: FakeCloudflareStream,
    webhook_receiver: WebhookReceiver,
) -> None:
    _, headers, body = delivered(backend, stream, webhook_receiver)
    tampered = json.loads(body)
    tampered["uid"] = "0" * 32
    other = make_backend(stream, webhook_secret="not-the-secret")
    for receiver, sent in ((backend, json.dumps(tampered).encode()), (other, body)):
        with pytest.raises(ProviderError) as caught:
            receiver.parse_webhook(headers, sent)
        assert (caught.value.code, caught.value.permanent) == ("webhook_invalid", True)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Webhook-Signature": ""},
        {"Webhook-Signature": "sig1=abc"},
        {"Webhook-Signature": "time=abc,sig1=abc"},
        {"Webhook-Signature": "time=123"},
        {"Webhook-Signature": "v1,whatever"},
    ],
)
def test_missing_or_malformed_signatures_are_refused(
    backend: CloudflareStreamBackend, headers: dict[str, str]
) -> None:
    with pytest.raises(ProviderError) as caught:
        backend.parse_webhook(headers, b'{"uid": "x"}')
    assert caught.value.code == "webhook_invalid"


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (0, True),
        (290, True),
        (-50, True),
        (301 + 5, False),
        (-120, False),
    ],
)
def test_only_fresh_signatures_are_accepted(
    stream: FakeCloudflareStream, age: int, accepted: bool
) -> None:
    receiver = make_backend(stream, webhook_secret="s3cret")
    body = json.dumps(
        {
            "uid": "a" * 32,
            "readyToStream": True,
            "status": {"state": "ready", "pctComplete": "100.000000"},
        }
    ).encode()
    headers = sign("s3cret", body, int(time.time()) - age)
    if accepted:
        assert receiver.parse_webhook(headers, body).metadata.state == "ready"
    else:
        with pytest.raises(ProviderError, match="old|future"):
            receiver.parse_webhook(headers, body)


def test_a_body_that_is_no_video_is_refused_even_when_signed(stream: FakeCloudflareStream) -> None:
    receiver = make_backend(stream, webhook_secret="s3cret")
    for body in (b"not json", b"[1, 2]", b"{}"):
        with pytest.raises(ProviderError) as caught:
            receiver.parse_webhook(sign("s3cret", body, int(time.time())), body)
        assert caught.value.code == "webhook_invalid"


def test_without_a_secret_no_webhook_is_believed(stream: FakeCloudflareStream) -> None:
    with pytest.raises(ProviderError) as caught:
        make_backend(stream).parse_webhook(sign("", b"{}", int(time.time())), b"{}")
    assert caught.value.code == "not_configured"
