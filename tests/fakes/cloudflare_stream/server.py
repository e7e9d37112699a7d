"""The HTTP side of the fake: parse a request, route it by path, write the Reply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from tests.fakes.cloudflare_stream import api, playback, uploads
from tests.fakes.cloudflare_stream.service import MAX_CHUNK, RecordedRequest, Reply

if TYPE_CHECKING:
    from tests.fakes.cloudflare_stream.service import FakeCloudflareStream


@dataclass
class Incoming:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message  # case-insensitive .get()
    body: bytes
    client_ip: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> object:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive (browsers and requests.Session reuse them): every
    # reply carries Content-Length and every request body is read before answering.
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: tests read `fake.requests` instead."""

    def _handle(self, method: str) -> None:
        fake: FakeCloudflareStream = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_CHUNK + 1024 * 1024:
            # Not read: close the connection rather than drain hundreds of megabytes.
            self.close_connection = True
            self._write(method, Reply(413, body=b"request body too large"))
            return
        parts = urlsplit(self.path)
        incoming = Incoming(
            method,
            parts.path,
            parse_qs(parts.query),
            self.headers,
            self.rfile.read(length) if length else b"",
            self.client_address[0],
        )
        if method == "POST" and incoming.header("X-HTTP-Method-Override"):
            incoming.method = str(incoming.header("X-HTTP-Method-Override")).upper()
        fake.record(
            RecordedRequest(
                incoming.method,
                incoming.path,
                incoming.query,
                {k.lower(): v for k, v in self.headers.items()},
                b"" if incoming.method == "PATCH" else incoming.body,
                len(incoming.body),
            )
        )
        self._write(method, route(fake, incoming))

    def _write(self, method: str, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "Content-Length" not in reply.headers:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if method != "HEAD" and reply.body:
            self.wfile.write(reply.body)


def route(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    if request.path.startswith("/client/v4/"):
        return api.handle(fake, request)
    if request.path.startswith("/tus/"):
        return uploads.handle_tus(fake, request)
    if request.path.startswith("/upload/"):
        return uploads.handle_basic(fake, request)
    return playback.handle(fake, request)
