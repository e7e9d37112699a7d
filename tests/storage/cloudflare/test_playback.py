"""Playback tokens signed locally, checked by the fake's delivery host the way Stream does."""

from __future__ import annotations

import re
import time

import jwt
import pytest
import requests

from storage_backends.base import Viewer
from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.cloudflare.tokens import PlaybackSigner, load_signing_key
from storage_backends.errors import ProviderError
from tests.fakes.cloudflare_stream import FakeCloudflareStream
from tests.storage.cloudflare.conftest import VIDEO, StreamKey, make_backend

VIEWER = Viewer(user_id=7, ip_address="127.0.0.1")


def token_of(url: str) -> str:
    match = re.fullmatch(r".*/([^/]+)/iframe", url)
    assert match is not None, url
    return match[1]


def test_the_token_is_signed_with_the_stream_key_and_verifies_with_its_public_jwk(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, stream_key: StreamKey
) -> None:
    uid = stream.add_video(VIDEO)
    before = len(stream.requests)
    playback = backend.playback(uid, VIEWER, 600)
    assert len(stream.requests) == before  # no API call per view
    assert playback.kind == "cloudflare-iframe"
    assert playback.url.startswith(f"{stream.delivery_base}/") and playback.url.endswith("/iframe")
    token = token_of(playback.url)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": stream_key.id, "typ": "JWT"}
    public = jwt.PyJWK(stream_key.public_jwk).key
    claims = jwt.decode(token, public, algorithms=["RS256"])
    now = time.time()
    assert claims["sub"] == uid and claims["kid"] == stream_key.id
    assert claims["exp"] == pytest.approx(now + 600, abs=5)
    assert claims["nbf"] == pytest.approx(now - 60, abs=5)  # tolerates a slow viewer clock
    assert playback.expires_at.timestamp() == claims["exp"]


def test_the_iframe_accepts_the_token_and_the_video_plays_with_range(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    uid = stream.add_video(VIDEO, meta={"filetype": "video/mp4"})
    playback = backend.playback(uid, VIEWER, 600)
    page = requests.get(playback.url, timeout=10)
    assert page.status_code == 200
    source = re.search(r"<video[^>]* src='([^']+)'", page.text)
    assert source is not None and source[1] == f"/{token_of(playback.url)}/video.mp4"
    media = f"{stream.delivery_base}{source[1]}"
    part = requests.get(media, headers={"Range": "bytes=100-199"}, timeout=10)
    assert part.status_code == 206 and part.content == VIDEO[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(VIDEO)}"
    assert part.headers["Content-Type"] == "video/mp4"
    tail = requests.get(media, headers={"Range": "bytes=-10"}, timeout=10)
    assert tail.content == VIDEO[-10:]
    beyond = requests.get(media, headers={"Range": f"bytes={len(VIDEO)}-"}, timeout=10)
    assert beyond.status_code == 416
    whole = requests.get(media, timeout=10)
    assert whole.status_code == 200 and whole.content == VIDEO


def test_expired_forged_and_unsigned_requests_are_refused(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, stream_key: StreamKey
) -> None:
    uid = stream.add_video(VIDEO)
    signer = PlaybackSigner(stream_key.id, load_signing_key(stream_key.pem))
    now = int(time.time())
    expired = signer.sign(uid, now=now - 3600, expires_at=now - 10)
    other_key = make_backend(stream).create_signing_key()[1]  # right kid, wrong key
    forged = PlaybackSigner(stream_key.id, load_signing_key(other_key)).sign(
        uid, now=now, expires_at=now + 600
    )
    for ident in (expired, forged, uid):
        response = requests.get(f"{stream.delivery_base}/{ident}/iframe", timeout=10)
        assert response.status_code == 401, ident
    media = requests.get(f"{stream.delivery_base}/{expired}/video.mp4", timeout=10)
    assert media.status_code == 401


def test_a_public_video_plays_by_uid_and_an_unready_one_does_not_play(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    public = stream.add_video(VIDEO, require_signed=False)
    assert requests.get(f"{stream.delivery_base}/{public}/iframe", timeout=10).status_code == 200
    queued = stream.add_video(VIDEO, ready=False)
    playback = backend.playback(queued, VIEWER, 600)
    assert requests.get(playback.url, timeout=10).status_code == 404


def test_a_revoked_key_no_longer_plays(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, stream_key: StreamKey
) -> None:
    uid = stream.add_video(VIDEO)
    backend.revoke_signing_key(stream_key.id)
    assert requests.get(backend.playback(uid, VIEWER, 600).url, timeout=10).status_code == 401


def test_tokens_never_ask_for_more_than_a_day(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    uid = stream.add_video(VIDEO)
    playback = backend.playback(uid, VIEWER, 7 * 24 * 3600)
    claims = jwt.decode(token_of(playback.url), options={"verify_signature": False})
    assert claims["exp"] <= time.time() + 24 * 3600
    assert requests.get(playback.url, timeout=10).status_code == 200


def test_playback_without_a_signing_key_tells_the_admin_to_create_one(
    stream: FakeCloudflareStream,
) -> None:
    keyless = make_backend(stream)
    with pytest.raises(ProviderError) as caught:
        keyless.playback("a" * 32, VIEWER, 600)
    assert caught.value.permanent and "signing key" in caught.value.message


def test_a_created_signing_key_is_returned_as_pem_and_loads(
    stream: FakeCloudflareStream,
) -> None:
    key_id, pem = make_backend(stream).create_signing_key()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert key_id in stream.public_keys
    signed = make_backend(stream, signing_key_id=key_id, signing_key_pem=pem)
    uid = stream.add_video(VIDEO)
    assert requests.get(signed.playback(uid, VIEWER, 60).url, timeout=10).status_code == 200


def test_the_key_is_parsed_once_not_per_view(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage_backends.cloudflare import tokens

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the PEM was parsed again")

    monkeypatch.setattr(tokens.serialization, "load_pem_private_key", fail)
    for _ in range(3):
        backend.playback("a" * 32, VIEWER, 600)
