"""Helpers for the browser tests of direct uploads to S3 (moto) and Cloudflare Stream (the fake):
point the dev LMS's tenant at a storage backend, record what our own server received, make a
real video above a size, and play videos inside nested frames.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_django.live_server_helper import LiveServer

from dev_lms.platform import PLATFORM_NAME
from lti_tool.models import StorageConfig, Tenant
from lti_tool.tenants.storage_configs import storage_config_save
from tests.fakes.s3 import MotoServer
from tests.fixtures.browser import missing
from tests.media import encode_test_pattern

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def use_storage(
    *,
    backend: str,
    options: dict[str, Any],
    secrets: dict[str, str],
    tenant_name: str = PLATFORM_NAME,
) -> StorageConfig:
    """Make `backend` the tenant's storage, as an administrator does in the admin. The dev
    LMS registers its tenant when its page loads: open /dev-lms/ first."""
    tenant = Tenant.objects.get(name=tenant_name)
    config = StorageConfig(
        tenant=tenant, label=backend.rsplit(".", 1)[-1], backend=backend, options=options
    )
    return storage_config_save(config=config, secrets=secrets, make_active=True)


def make_video(path: Path, *, seconds: int, size: str = "640x360", bitrate: str = "12M") -> Path:
    """A real H.264 MP4 of ffmpeg's test pattern (moov first), padded to a constant bit rate
    (`nal-hrd=cbr`) so that its size is about seconds x bitrate / 8 bytes."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        missing("ffmpeg is not installed (apt-get install ffmpeg)")
    cbr = f"-preset ultrafast -x264-params nal-hrd=cbr -b:v {bitrate} -minrate {bitrate}"
    cbr += f" -maxrate {bitrate} -bufsize 4M"
    return encode_test_pattern(
        ffmpeg, path, seconds=seconds, size=size, encoder_options=cbr.split()
    )


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    body_bytes: int


@dataclass
class ServerLog:
    """Every request our live server received while recording (method, path, body size)."""

    requests: list[Received] = field(default_factory=list)

    @property
    def body_bytes(self) -> int:
        return sum(request.body_bytes for request in self.requests)

    @property
    def largest(self) -> Received | None:
        return max(self.requests, key=lambda request: request.body_bytes, default=None)

    def to(self, method: str, path_part: str) -> list[Received]:
        return [r for r in self.requests if r.method == method and path_part in r.path]


@contextmanager
def requests_received(live_server: LiveServer) -> Iterator[ServerLog]:
    """Records the requests that reach our Django server (the live server's WSGI app is
    wrapped for the duration): a direct upload must leave no video bytes here."""
    httpd = live_server.thread.httpd
    app: WsgiApp = httpd.get_app()
    log = ServerLog()

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        log.requests.append(Received(environ["REQUEST_METHOD"], environ["PATH_INFO"], size))
        return app(environ, start_response)

    httpd.set_app(recording)
    try:
        yield log
    finally:
        httpd.set_app(app)


@contextmanager
def s3_cors_on_posts(server: MotoServer, bucket: str) -> Iterator[None]:
    """S3 applies a bucket's CORS rules to POST answers too (a form upload, a
    CompleteMultipartUpload); moto 5.2 leaves the headers off them, so a browser could not
    read its own successful upload. For `bucket`, whose rules (tests.fakes.s3.CORS_RULES)
    allow any origin and expose ETag, add what S3 sends, for the duration only."""
    wsgi_server = server.server._server  # werkzeug's server reads `.app` for each request
    assert wsgi_server is not None
    app: WsgiApp = wsgi_server.app

    def with_cors(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        to_bucket = environ.get("PATH_INFO", "").startswith(f"/{bucket}")
        if environ["REQUEST_METHOD"] != "POST" or not origin or not to_bucket:
            return app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
                headers = [
                    *headers,
                    ("Access-Control-Allow-Origin", origin),
                    ("Access-Control-Expose-Headers", "ETag"),
                    ("Vary", "Origin"),
                ]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    wsgi_server.app = with_cors
    try:
        yield
    finally:
        wsgi_server.app = app


def wait_until_playing(
    frame: Any, selector: str, past_seconds: float, timeout_ms: int = 15_000
) -> None:
    """Polls the <video> matching `selector` in `frame` until currentTime passes `past_seconds`."""
    frame.wait_for_function(
        """([selector, past]) => {
            const video = document.querySelector(selector);
            return !!video && !video.error && video.currentTime > past;
        }""",
        arg=[selector, past_seconds],
        timeout=timeout_ms,
        polling=100,
    )


def video_state(frame: Any, selector: str) -> str:
    """For assertion messages: what the <video> says about itself."""
    return frame.evaluate(
        """(selector) => {
            const v = document.querySelector(selector);
            if (!v) return `no element matches ${selector}`;
            return JSON.stringify({src: v.currentSrc, readyState: v.readyState,
                networkState: v.networkState, error: v.error && v.error.message,
                paused: v.paused, currentTime: v.currentTime});
        }""",
        selector,
    )


def play_muted(frame: Any, selector: str) -> None:
    """Start the video muted: no autoplay policy objects to that."""
    frame.locator(selector).evaluate("video => { video.muted = true; return video.play() }")
