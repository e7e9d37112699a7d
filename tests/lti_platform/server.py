"""HTTP plumbing: a ThreadingHTTPServer on 127.0.0.1 (random port) in a daemon thread.

Requests become `Request` objects; the platform's `handle(request)` answers a `Response`.
Nothing LTI-specific lives here.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

POLL_INTERVAL = 0.01  # stop() returns within this long (servers start and stop per test)


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: Message
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    @property
    def content_type(self) -> str:
        """The media type without parameters (`; charset=...`), lower case."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def accepts(self, media_type: str) -> bool:
        accept = self.headers.get("Accept") or ""
        return any(part.split(";")[0].strip().lower() == media_type for part in accept.split(","))

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def bearer(self) -> str | None:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(
    status: int,
    data: Any,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        status, json.dumps(data).encode(), {"Content-Type": content_type, **(headers or {})}
    )


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, html.encode(), {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    )


def text_response(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, text.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
    )


Handler = Callable[[Request], Response]


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            self.command,
            parts.path,
            parts.query,
            self.headers,
            self.rfile.read(length) if length else b"",
        )
        try:
            response = self.server.app(request)
        except Exception:  # a platform bug: answer 500 and keep the trace for the test
            self.server.on_error(traceback.format_exc())
            response = text_response(500, "platform error (see lms.errors)")
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: Handler
    on_error: Callable[[str], None]


class HttpServer:
    """Serves `app` at http://127.0.0.1:<random port> until stop()."""

    def __init__(self, app: Handler, on_error: Callable[[str], None]) -> None:
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.app = app
        self._server.on_error = on_error
        self.port: int = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=f"lti-platform-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
