"""Rate limits, outages and refusals: what is retried (and how long it waits), what is not."""

from __future__ import annotations

import socket

import pytest

from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.errors import ProviderError
from tests.fakes.cloudflare_stream import FakeCloudflareStream
from tests.storage.cloudflare.conftest import VIDEO, StreamKey, WebhookReceiver, make_backend


def test_a_429_is_retried_after_the_time_cloudflare_asks_for(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, retry_sleeps: list[float]
) -> None:
    uid = stream.add_video(VIDEO)
    stream.fail_next(2, status=429, retry_after=7)
    assert backend.video_exists(uid)
    assert retry_sleeps == [7.0, 7.0]
    assert len(stream.requests_to("GET", uid)) == 3


def test_a_5xx_is_retried_with_backoff(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, retry_sleeps: list[float]
) -> None:
    uid = stream.add_video(VIDEO)
    stream.fail_next(1, status=503, retry_after=None)
    assert backend.get_metadata(uid).ready
    assert len(retry_sleeps) == 1 and 0 < retry_sleeps[0] <= 30


def test_when_the_limit_lasts_the_error_stays_transient(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, retry_sleeps: list[float]
) -> None:
    stream.fail_next(5, status=429, retry_after=1)
    with pytest.raises(ProviderError) as caught:
        backend.delete_video("a" * 32)
    assert (caught.value.permanent, caught.value.code) == (False, "provider_unavailable")
    assert len(stream.requests_to("DELETE")) == 3


def test_a_refusal_is_permanent_and_not_retried(
    stream: FakeCloudflareStream, retry_sleeps: list[float]
) -> None:
    wrong_token = make_backend(stream, api_token="wrong")
    with pytest.raises(ProviderError) as caught:
        wrong_token.get_metadata("a" * 32)
    assert (caught.value.permanent, caught.value.code) == (True, "provider_auth")
    assert "Authentication error" in caught.value.message
    assert "wrong" not in caught.value.message  # the token never appears in errors
    with pytest.raises(ProviderError) as caught:
        make_backend(stream).subscribe_webhook("ftp://example.com/hook")
    assert (caught.value.permanent, caught.value.code) == (True, "provider_rejected")
    assert retry_sleeps == []
    assert len(stream.requests) == 2


def test_an_unreachable_api_is_a_transient_error(retry_sleeps: list[float]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the calls
    backend = CloudflareStreamBackend(
        account_id="acc", api_token="token", api_base=f"http://127.0.0.1:{port}/client/v4"
    )
    with pytest.raises(ProviderError) as caught:
        backend.video_exists("a" * 32)
    assert (caught.value.permanent, caught.value.code) == (False, "provider_unreachable")
    assert len(retry_sleeps) == 2


def test_check_is_empty_when_everything_is_configured(backend: CloudflareStreamBackend) -> None:
    assert backend.check() == []


def test_check_names_what_an_administrator_must_fix(
    stream: FakeCloudflareStream, stream_key: StreamKey, webhook_receiver: WebhookReceiver
) -> None:
    assert any("token" in p for p in make_backend(stream, api_token="wrong").check())
    bare = make_backend(stream, delivery_base="").check()
    assert len(bare) == 3
    assert any("signing key" in p for p in bare) and any("webhook" in p.lower() for p in bare)
    configured = make_backend(
        stream,
        signing_key_id=stream_key.id,
        signing_key_pem=stream_key.pem,
        webhook_secret="secret",
    )
    make_backend(stream).revoke_signing_key(stream_key.id)
    problems = configured.check()
    assert any("no longer exists" in p for p in problems)
    assert any("webhook subscription is gone" in p for p in problems)
