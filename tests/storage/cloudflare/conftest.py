"""Fixtures for the Cloudflare Stream backend, run over HTTP against the fake service."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import tenacity.nap

from storage_backends.base import UploadContext
from storage_backends.cloudflare import CloudflareStreamBackend
from tests.fakes.cloudflare_stream import (
    CHUNK_MULTIPLE,
    MIN_CHUNK,
    FakeCloudflareStream,
    encode_tus_metadata,
)

# A little more than one minimum chunk: two PATCHes, the last one short.
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * (
    (MIN_CHUNK + 3 * CHUNK_MULTIPLE) // 256
)
BROWSER_METADATA = encode_tus_metadata({"name": "my talk.mp4", "filetype": "video/mp4"})


@pytest.fixture(autouse=True)
def retry_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries do not wait in these tests; the waits they asked for are recorded."""
    waits: list[float] = []
    monkeypatch.setattr(tenacity.nap, "time", SimpleNamespace(sleep=waits.append))
    return waits


@pytest.fixture
def stream() -> Iterator[FakeCloudflareStream]:
    """The fake service. Processing takes 1 s queued + 4 s encoding unless advanced."""
    with FakeCloudflareStream(queued_seconds=1, encoding_seconds=4) as fake:
        yield fake


def make_backend(stream: FakeCloudflareStream, **options: Any) -> CloudflareStreamBackend:
    base = {
        "account_id": stream.account_id,
        "api_token": stream.api_token,
        "api_base": stream.api_base,
        "delivery_base": stream.delivery_base,
    }
    return CloudflareStreamBackend(**{**base, **options})


@dataclass
class StreamKey:
    id: str
    pem: str
    jwk: dict[str, Any]

    @property
    def public_jwk(self) -> dict[str, Any]:
        return {name: self.jwk[name] for name in ("kty", "n", "e", "kid", "alg")}


@pytest.fixture
def stream_key(stream: FakeCloudflareStream) -> StreamKey:
    """A signing key created over the API, with the JWK that only the raw answer shows."""
    response = requests.post(
        f"{stream.api_base}/accounts/{stream.account_id}/stream/keys",
        headers={"Authorization": f"Bearer {stream.api_token}"},
        timeout=10,
    )
    result = response.json()["result"]
    return StreamKey(
        result["id"],
        base64.b64decode(result["pem"]).decode(),
        json.loads(base64.b64decode(result["jwk"])),
    )


@dataclass
class WebhookReceiver:
    """A tiny HTTP server that records the POSTs it gets (our webhook view stands in)."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append((dict(self.headers.items()), body))
            receiver.arrived.set()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = WebhookReceiver(f"http://127.0.0.1:{server.server_address[1]}/webhooks/stream/")
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def backend(
    stream: FakeCloudflareStream, stream_key: StreamKey, webhook_receiver: WebhookReceiver
) -> CloudflareStreamBackend:
    """Configured the way an administrator ends up: key, webhook, delivery host."""
    secret = make_backend(stream).subscribe_webhook(webhook_receiver.url)
    return make_backend(
        stream,
        signing_key_id=stream_key.id,
        signing_key_pem=stream_key.pem,
        webhook_secret=secret,
        max_duration_seconds=600,
    )


@pytest.fixture
def upload_ctx() -> UploadContext:
    return UploadContext(
        tenant_id=1, assignment_id=2, user_id=3, submission_id=4, max_size_bytes=50 * 1024 * 1024
    )


def start_upload(backend: CloudflareStreamBackend, data: bytes = VIDEO) -> tuple[str, str, str]:
    """What our tus view does: a ticket, then the forwarded creation. (ref, location, uid)"""
    ticket = backend.create_upload(
        UploadContext(1, 2, 3, 4, 50 * 1024 * 1024), "my talk.mp4", len(data), "video/mp4"
    )
    ref = ticket.upload_ref
    location, uid = backend.forward_tus_creation(
        ref, upload_length=len(data), upload_metadata=BROWSER_METADATA
    )
    return ref, location, uid
