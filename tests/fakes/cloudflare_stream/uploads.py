"""The fake's upload URLs: tus (`/tus/<token>`) and basic POST (`/upload/<token>`).

Browsers call these straight from the page, so every answer carries CORS headers and
the tus URL answers preflights. Stream's chunk rules apply to each PATCH.
"""

from __future__ import annotations

import time
from email import policy
from email.parser import BytesParser
from typing import TYPE_CHECKING

from tests.fakes.cloudflare_stream.client import TUS_VERSION
from tests.fakes.cloudflare_stream.service import (
    CHUNK_MULTIPLE,
    CORS,
    MAX_BASIC_UPLOAD,
    MAX_CHUNK,
    MIN_CHUNK,
    TUS_ALLOWED_HEADERS,
    FakeVideo,
    Reply,
)

if TYPE_CHECKING:
    from tests.fakes.cloudflare_stream.server import Incoming
    from tests.fakes.cloudflare_stream.service import FakeCloudflareStream


def handle_tus(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    if request.method == "OPTIONS":
        return _cors(
            Reply(
                204,
                {
                    "Access-Control-Allow-Methods": "POST, GET, HEAD, PATCH, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": TUS_ALLOWED_HEADERS,
                    "Access-Control-Max-Age": "86400",
                    "Tus-Version": TUS_VERSION,
                    "Tus-Extension": "creation,expiration",
                },
            )
        )
    if request.header("Tus-Resumable") != TUS_VERSION:
        return _cors(Reply(412, {"Tus-Version": TUS_VERSION}, b"Tus-Resumable 1.0.0 required"))
    video = _upload_for(fake, request.path.removeprefix("/tus/"))
    if video is None:
        return _cors(Reply(404, body=b"upload not found"))
    if not video.direct_user and request.header("Authorization") != f"Bearer {fake.api_token}":
        return _cors(Reply(401, body=b"this upload URL needs the API token"))
    if video.completed_at is None and video.upload_expires and time.time() > video.upload_expires:
        return _cors(Reply(410, body=b"upload URL expired"))
    if request.method == "HEAD":
        return _tus_reply(
            video, 200, {"Upload-Length": str(video.length), "Cache-Control": "no-store"}
        )
    if request.method == "PATCH":
        return _patch(fake, video, request)
    return _cors(Reply(405, body=b"method not allowed"))


def _upload_for(fake: FakeCloudflareStream, token: str) -> FakeVideo | None:
    with fake.lock:
        uid = fake.uploads.get(token)
        return fake.videos.get(uid) if uid else None


def _patch(fake: FakeCloudflareStream, video: FakeVideo, request: Incoming) -> Reply:
    if request.header("Content-Type") != "application/offset+octet-stream":
        return _cors(Reply(415, body=b"Content-Type must be application/offset+octet-stream"))
    with fake.lock:
        offset = len(video.data)
        if request.header("Upload-Offset") != str(offset):
            return _tus_reply(video, 409, body=b"Upload-Offset does not match")
        problem = chunk_problem(len(request.body), offset, video.length)
        if problem:
            return _tus_reply(video, 400, body=problem.encode())
        video.data += request.body
        if len(video.data) == video.length:
            fake.complete(video)
    return _tus_reply(video, 204)


def chunk_problem(size: int, offset: int, length: int) -> str | None:
    """Stream's rules: >= 5 MiB and a multiple of 256 KiB unless the chunk completes the
    file; never over 200 MiB, never past Upload-Length."""
    if offset + size > length:
        return "chunk goes past Upload-Length"
    if size > MAX_CHUNK:
        return f"chunk larger than {MAX_CHUNK} bytes"
    if offset + size == length:
        return None  # the last chunk (or the whole small file) may be any size
    if size < MIN_CHUNK:
        return f"chunk smaller than {MIN_CHUNK} bytes and not the last one"
    if size % CHUNK_MULTIPLE:
        return f"chunk size not a multiple of {CHUNK_MULTIPLE} bytes"
    return None


def _tus_reply(
    video: FakeVideo, status: int, headers: dict[str, str] | None = None, body: bytes = b""
) -> Reply:
    return _cors(
        Reply(
            status,
            {
                "Tus-Resumable": TUS_VERSION,
                "Upload-Offset": str(len(video.data)),
                "stream-media-id": video.uid,
                **(headers or {}),
            },
            body,
        )
    )


def _cors(reply: Reply) -> Reply:
    reply.headers.update(CORS)
    return reply


def handle_basic(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    """A basic direct creator upload: one multipart/form-data POST with field `file`."""
    if request.method == "OPTIONS":
        return _cors(
            Reply(
                204,
                {
                    "Access-Control-Allow-Methods": "POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type",
                },
            )
        )
    video = _upload_for(fake, request.path.removeprefix("/upload/"))
    if request.method != "POST" or video is None or video.completed_at is not None:
        return _cors(Reply(404 if request.method == "POST" else 405, body=b"no such upload"))
    if len(request.body) > MAX_BASIC_UPLOAD:
        return _cors(Reply(413, body=b"basic uploads are limited to 200 MB; use tus"))
    data = _form_file(request.header("Content-Type") or "", request.body)
    if data is None:
        return _cors(Reply(400, body=b"multipart/form-data with a `file` field required"))
    with fake.lock:
        video.data, video.length = bytearray(data), len(data)
        fake.complete(video)
    return _cors(Reply(200))


def _form_file(content_type: str, body: bytes) -> bytes | None:
    if not content_type.startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    for part in message.iter_parts():  # type: ignore[attr-defined]
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None
