"""The fake's state and its control API (`FakeCloudflareStream`); HTTP is in server.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"
API_TOKEN = "fake-stream-api-token"  # noqa: S105 - a test value
MIN_CHUNK = 5_242_880  # every chunk but the one that completes the file
CHUNK_MULTIPLE = 256 * 1024
MAX_CHUNK = 209_715_200
MAX_BASIC_UPLOAD = 200 * 1000 * 1000
MAX_UPLOAD = 30 * 1000**3
MAX_DURATION = 21600
MAX_TOKEN_TTL = 24 * 3600
# Cloudflare's generic codes: 10000 authentication. 10003/10005 are our stand-ins.
ERR_AUTH, ERR_NOT_FOUND, ERR_BAD_REQUEST = 10000, 10003, 10005
TUS_ALLOWED_HEADERS = (
    "Authorization, Content-Type, Location, Tus-Extension, Tus-Max-Size, Tus-Resumable, "
    "Tus-Version, Upload-Concat, Upload-Defer-Length, Upload-Length, Upload-Metadata, "
    "Upload-Offset, X-HTTP-Method-Override, X-Requested-With"
)
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Upload-Offset, Location, Upload-Length, Tus-Version, "
    "Tus-Resumable, Tus-Max-Size, Tus-Extension, Upload-Metadata, stream-media-id",
}


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes  # empty for tus PATCHes (see body_size)
    body_size: int


@dataclass
class Delivery:
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None  # None when the receiver could not be reached


@dataclass
class FakeVideo:
    uid: str
    length: int
    meta: dict[str, Any]
    require_signed: bool
    max_duration: int | None
    upload_token: str
    direct_user: bool = True
    data: bytearray = field(default_factory=bytearray)
    created: str = field(default_factory=lambda: iso(time.time()))
    upload_expires: float | None = None  # wall clock
    completed_at: float | None = None  # the fake's processing clock
    fail_code: str | None = None
    notified: bool = False


def iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, tz=UTC).isoformat().replace("+00:00", "Z")


def envelope(result: Any, status: int = 200, errors: Sequence[tuple[int, str]] = ()) -> Reply:
    body = {
        "result": result,
        "success": not errors,
        "messages": [],
        "errors": [{"code": code, "message": message} for code, message in errors],
    }
    return Reply(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


def error(status: int, code: int, message: str) -> Reply:
    return envelope(None, status, [(code, message)])


class FakeCloudflareStream:
    """The fake service on 127.0.0.1 (random port). Use as a context manager, or
    `start()`/`stop()`.

    Addresses: `api_base` (the backend's api_base), `delivery_base` (playback host),
    `account_id`, `api_token`. Control: `fail_next`, `fail_processing`, `advance`,
    `finish_processing`, `add_video`; inspection: `video`, `video_bytes`, `requests`,
    `requests_to`, `deliveries`, `public_keys`, `webhook`.
    """

    def __init__(
        self,
        *,
        account_id: str = ACCOUNT_ID,
        api_token: str = API_TOKEN,
        queued_seconds: float = 0.5,
        encoding_seconds: float = 2.0,
        duration: float = 12.0,
        width: int = 1280,
        height: int = 720,
    ) -> None:
        from tests.fakes.cloudflare_stream.server import Handler

        self.account_id, self.api_token = account_id, api_token
        self.queued_seconds, self.encoding_seconds = queued_seconds, encoding_seconds
        self.media: dict[str, float] = {"duration": duration, "width": width, "height": height}
        self.videos: dict[str, FakeVideo] = {}
        self.uploads: dict[str, str] = {}  # one-time upload token -> uid
        self.public_keys: dict[str, tuple[rsa.RSAPublicKey, str]] = {}  # id -> (key, created)
        self.webhook: dict[str, str] | None = None
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []
        self.lock = threading.RLock()
        self.list_limit = 1000  # videos per answer of GET /stream, as Stream
        self._failures: list[tuple[int, float | None]] = []
        self._fail_processing_code: str | None = None
        self._skew = 0.0
        self._tick_lock = threading.Lock()
        self._stopped = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_base = f"{self.url}/client/v4"
        self.delivery_base = self.url  # stands in for https://customer-<code>.cloudflarestream.com
        # A short poll interval: shutdown() waits up to one interval (0.5 s by default).
        serve = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.01}
        )
        self._threads = [serve, threading.Thread(target=self._run_ticker, daemon=True)]

    def start(self) -> FakeCloudflareStream:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeCloudflareStream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control -------------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 429, retry_after: float | None = 1) -> None:
        """The next `n` API calls answer `status` (with `retry-after` unless None)."""
        with self.lock:
            self._failures.extend([(status, retry_after)] * n)

    def stop_failing(self) -> None:
        """The API answers again (ends what `fail_next` set up)."""
        with self.lock:
            self._failures.clear()

    def fail_processing(self, uid: str | None = None, code: str = "ERR_NON_VIDEO") -> None:
        """Video `uid` (or, without one, every upload completed from now on) ends in `error`
        with `code` once queued (Stream spots a non-video when it probes the file). Undo the
        "every upload" form with `stop_failing_processing()`."""
        with self.lock:
            if uid is None:
                self._fail_processing_code = code
            else:
                self.videos[uid].fail_code = code

    def stop_failing_processing(self) -> None:
        with self.lock:
            self._fail_processing_code = None

    def now(self) -> float:
        """The processing clock: monotonic time plus whatever `advance` added."""
        return time.monotonic() + self._skew

    def advance(self, seconds: float) -> None:
        """Let `seconds` of processing pass at once; webhooks due are sent before return."""
        with self.lock:
            self._skew += seconds
        self.tick()

    def finish_processing(self) -> None:
        """Every completed upload ends processing now (ready, or error when failing)."""
        self.advance(self.queued_seconds + self.encoding_seconds + 1)

    def add_video(
        self,
        data: bytes,
        *,
        ready: bool = True,
        require_signed: bool = True,
        meta: dict[str, Any] | None = None,
    ) -> str:
        """A video as if uploaded (and processed, when `ready`) already; sends no webhook
        when ready. Returns its uid."""
        video = self.new_video(
            len(data), dict(meta or {}), require_signed=require_signed, max_duration=None
        )
        with self.lock:
            video.data = bytearray(data)
            self.complete(video)
            if ready:
                video.completed_at = self.now() - self.queued_seconds - self.encoding_seconds - 1
                video.notified = True
        return video.uid

    def video(self, uid: str) -> dict[str, Any] | None:
        """The video object GET /stream/{uid} would answer now, or None."""
        with self.lock:
            video = self.videos.get(uid)
            return None if video is None else self.video_object(video)

    def video_bytes(self, uid: str) -> bytes:
        with self.lock:
            return bytes(self.videos[uid].data)

    def requests_to(self, method: str, path_suffix: str = "") -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path.endswith(path_suffix)]

    # -- used by the HTTP side -------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self.requests.append(request)

    def take_failure(self) -> tuple[int, float | None] | None:
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def new_video(
        self,
        length: int,
        meta: dict[str, Any],
        *,
        require_signed: bool,
        max_duration: int | None,
        expires: float | None = None,
        direct_user: bool = True,
    ) -> FakeVideo:
        video = FakeVideo(
            secrets.token_hex(16),
            length,
            meta,
            require_signed,
            max_duration,
            secrets.token_urlsafe(24),
            direct_user=direct_user,
            upload_expires=expires,
            fail_code=self._fail_processing_code,
        )
        with self.lock:
            self.videos[video.uid] = video
            self.uploads[video.upload_token] = video.uid
        return video

    def complete(self, video: FakeVideo) -> None:
        """The last byte arrived: processing starts (queued) on the fake clock."""
        video.completed_at = self.now()

    def status(self, video: FakeVideo) -> tuple[str, float]:
        """(state, pctComplete) on the fake clock."""
        if video.completed_at is None:
            return "pendingupload", 0.0
        elapsed = self.now() - video.completed_at
        if elapsed < self.queued_seconds:
            return "queued", 0.0
        if video.fail_code:  # Stream finds a non-video as soon as it probes the file
            return "error", 0.0
        encoding = elapsed - self.queued_seconds
        if encoding < self.encoding_seconds:
            return "inprogress", 100.0 * encoding / self.encoding_seconds
        return "ready", 100.0

    def video_object(self, video: FakeVideo) -> dict[str, Any]:
        state, pct = self.status(video)
        known = state in ("inprogress", "ready")  # probed: duration and size known
        base = f"{self.delivery_base}/{video.uid}"
        obj: dict[str, Any] = {
            "uid": video.uid,
            "creator": None,
            "created": video.created,
            "modified": video.created,
            "uploaded": video.created if video.completed_at else None,
            "uploadExpiry": iso(video.upload_expires) if video.upload_expires else None,
            "readyToStream": state == "ready",
            "readyToStreamAt": iso(time.time()) if state == "ready" else None,
            "duration": self.media["duration"] if known else -1,
            "size": len(video.data) if video.completed_at is not None else 0,
            "input": {key: int(self.media[key]) if known else -1 for key in ("width", "height")},
            "thumbnail": f"{base}/thumbnails/thumbnail.jpg",
            "thumbnailTimestampPct": 0,
            "playback": {
                "hls": f"{base}/manifest/video.m3u8",
                "dash": f"{base}/manifest/video.mpd",
            },
            "meta": dict(video.meta),
            "requireSignedURLs": video.require_signed,
            "allowedOrigins": [],
            "maxDurationSeconds": video.max_duration,
            "maxSizeBytes": None,
            "scheduledDeletion": None,
            "watermark": None,
            "clippedFrom": None,
            "liveInput": None,
            "status": _status(state, pct, video.fail_code),
        }
        if state == "ready":
            obj["preview"] = f"{base}/watch"
        return obj

    # -- processing and webhooks -----------------------------------------------------------

    def tick(self) -> None:
        """Send the webhook for each video whose processing ended since the last tick. One
        tick at a time, so `advance` returns after the deliveries it caused."""
        with self._tick_lock:
            with self.lock:
                ended = [
                    video
                    for video in self.videos.values()
                    if not video.notified and self.status(video)[0] in ("ready", "error")
                ]
                for video in ended:
                    video.notified = True
                bodies = [json.dumps(self.video_object(video)).encode() for video in ended]
                hook = dict(self.webhook) if self.webhook else None
            for body in bodies if hook else []:
                self._deliver(hook["notificationUrl"], hook["secret"], body)  # type: ignore[index]

    def _deliver(self, url: str, secret: str, body: bytes) -> None:
        # The real service never delivers to localhost or private IPs; this fake does,
        # because tests listen on 127.0.0.1.
        stamp = int(time.time())  # the wall clock: receivers check it against theirs
        sig1 = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "Webhook-Signature": f"time={stamp},sig1={sig1}",
        }
        status: int | None
        try:
            status = requests.post(url, data=body, headers=headers, timeout=5).status_code
        except requests.RequestException:
            status = None
        with self.lock:
            self.deliveries.append(Delivery(url, headers, body, status))

    def _run_ticker(self) -> None:
        while not self._stopped.wait(0.05):
            self.tick()


def _status(state: str, pct: float, fail_code: str | None) -> dict[str, str]:
    failed = state == "error"
    return {
        "state": state,
        "pctComplete": f"{pct:.6f}",
        "step": "encoding",
        "errorReasonCode": (fail_code or "") if failed else "",
        "errorReasonText": _ERROR_TEXT.get(fail_code or "", "The video could not be processed.")
        if failed
        else "",
    }


_ERROR_TEXT = {
    "ERR_NON_VIDEO": "The file was not recognized as a valid video file.",
    "ERR_DURATION_EXCEED_CONSTRAINT": "The video is longer than maxDurationSeconds.",
}
