"""The embedded default backend: files on this machine, tus uploads, HMAC-signed playback.

The HTTP side (the tus endpoint and Range playback) is in views.py, mounted through the
registry under storage/local/; this module holds what a backend decides: tickets,
paths, signatures, metadata. Any tenant may use it: each has its own folder.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, include, path

from storage_backends.base import (
    HealthCheck,
    ObjectListing,
    Playback,
    StorageBackend,
    StoredObject,
    UploadContext,
    UploadTicket,
    VideoMetadata,
    Viewer,
)
from storage_backends.errors import ProviderError
from storage_backends.local.files import LocalFiles, StoredInfo, disk_errors, make_ref
from storage_backends.local.tickets import TICKET_HEADER, LocalSigner, TicketGrant
from storage_backends.local.tus import TusServer
from storage_backends.options import BackendOptions, option
from storage_backends.validation import normalized_mime, validate_upload

# Bytes per tus PATCH: each one passes through a web worker, so keep them moderate.
CHUNK_SIZE = 5 * 1024 * 1024
LIST_PAGE_SIZE = 500  # folders per page of `list_objects`
UPLOAD_REF_PARAM = "upload"  # on the creation URL: which upload, so which backend


@dataclass(frozen=True, kw_only=True)
class LocalOptions(BackendOptions):
    """Blank values take the site's settings (VIDEO_LOCAL_ROOT, SECRET_KEY,
    VIDEO_UPLOAD_TICKET_TTL): a tenant picks "Local disk" with nothing to type."""

    provider: ClassVar[str] = "Local storage"
    secret_options: ClassVar[frozenset[str]] = frozenset({"secret"})

    root: str = option("", label="Folder", help_text="Blank: the site's video folder.")
    secret: str | None = option(
        None, label="Signing secret", help_text="Blank: the site's SECRET_KEY."
    )
    upload_url: str = option("/storage/local/tus/", label="tus URL")
    playback_url: str = option("/storage/local/play/", label="Playback URL")
    ticket_ttl: int | None = option(None, label="Upload ticket lifetime (s)")
    chunk_size: int = option(CHUNK_SIZE, label="tus chunk size (bytes)")

    def check(self) -> None:
        if not (self.root or getattr(settings, "VIDEO_LOCAL_ROOT", "")):
            raise ImproperlyConfigured("Local storage needs root (or VIDEO_LOCAL_ROOT).")
        if self.chunk_size < 1:
            raise ImproperlyConfigured("Local storage: chunk_size must be positive.")


class LocalBackend(StorageBackend, HealthCheck, ObjectListing):
    name = "local"
    label = "Local disk (this server)"
    Options = LocalOptions
    url_prefix = "local"

    def __init__(self, **options: Any) -> None:
        self.options = LocalOptions.load(options)
        self.files = LocalFiles(Path(self.options.root or settings.VIDEO_LOCAL_ROOT))
        self.signer = LocalSigner(self.options.secret or settings.SECRET_KEY)
        self.upload_url = self.options.upload_url
        self.playback_url = self.options.playback_url
        self.ticket_ttl = self.options.ticket_ttl or settings.VIDEO_UPLOAD_TICKET_TTL
        self.tus = TusServer(self.files, self.signer, settings.VIDEO_MAX_UPLOAD_BYTES)

    @classmethod
    def urlpatterns(cls) -> list[URLPattern | URLResolver]:
        return [path("", include("storage_backends.local.urls"))]

    def check(self, *, origin: str | None = None) -> list[str]:
        """The folder exists and takes a write (readiness and the admin form ask)."""
        probe = self.files.root / f".check-{uuid.uuid4().hex}"
        try:
            self.files.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            return [f"The video folder {self.files.root} cannot be written: {exc.strerror}."]
        return []

    def ticket_asks_provider(self, size: int) -> bool:
        return False  # the ticket is signed here; the bytes come to our tus endpoint

    def create_upload(
        self, ctx: UploadContext, filename: str, size: int, mime: str
    ) -> UploadTicket:
        safe_name = validate_upload(
            filename=filename, size=size, mime=mime, max_size_bytes=ctx.max_size_bytes
        )
        self.files.check_writable(size)  # no ticket for bytes that could not be kept
        expires = int(time.time()) + self.ticket_ttl
        ref = make_ref(ctx.tenant_id, uuid.uuid4().hex)  # in the tenant's own folder
        grant = TicketGrant(
            ref, size, ctx.max_size_bytes, normalized_mime(mime), safe_name, expires
        )
        return UploadTicket(
            protocol="local-tus",
            url=f"{self.upload_url}?{urlencode({UPLOAD_REF_PARAM: ref})}",
            upload_ref=grant.ref,
            expires_at=datetime.fromtimestamp(expires, tz=UTC),
            headers={TICKET_HEADER: self.signer.sign_ticket(grant)},
            chunk_size=self.options.chunk_size,
        )

    def confirm_upload(self, upload_ref: str, metadata: dict[str, Any]) -> str:
        if self.video_exists(upload_ref):
            return upload_ref  # confirmed before: confirming is idempotent
        try:
            with self.files.locked(upload_ref):
                info = self.files.read_info(self.files.upload_dir(upload_ref))
                if info is None:
                    raise ProviderError(
                        "No upload arrived for this file.", permanent=True, code="upload_missing"
                    )
                received = self.files.offset(upload_ref)
                if received != info.length:
                    raise ProviderError(
                        f"The upload is not complete yet ({received} of {info.length} bytes).",
                        permanent=True,
                        code="upload_incomplete",
                    )
                with disk_errors():
                    self.files.promote(upload_ref)
        except FileNotFoundError as exc:
            raise ProviderError(
                "No upload arrived for this file.", permanent=True, code="upload_missing"
            ) from exc
        return upload_ref

    def playback(self, video_id: str, viewer: Viewer, expires_in: int) -> Playback:
        expires = int(time.time()) + expires_in
        query = urlencode(
            {"expires": expires, "signature": self.signer.playback_signature(video_id, expires)}
        )
        return Playback(
            kind="mp4",
            url=f"{self.playback_url}{video_id}?{query}",
            expires_at=datetime.fromtimestamp(expires, tz=UTC),
        )

    def delete_video(self, video_id: str) -> None:
        try:
            self.files.remove_video(video_id)
            self.files.remove_upload(video_id)
        except FileNotFoundError:
            return

    def video_exists(self, video_id: str) -> bool:
        try:
            return (self.files.video_dir(video_id) / "data").is_file()
        except FileNotFoundError:
            return False

    def get_metadata(self, video_id: str) -> VideoMetadata:
        info = self.video_info(video_id)
        if info is None:
            raise ProviderError("The video is not in storage.", permanent=True, code="not_found")
        path = self.files.video_dir(video_id) / "data"
        probed = _probe(path, mime=info.mime)
        if probed is False:
            return VideoMetadata(
                state="error", ready=False, size_bytes=path.stat().st_size, mime_type=info.mime
            )
        return VideoMetadata(
            state="ready",
            ready=True,
            size_bytes=path.stat().st_size,
            mime_type=info.mime,
            **(probed or {}),
        )

    def estimate_cost(self, total_bytes: int, total_views: int) -> Decimal:
        return Decimal("0")  # your own disk: no provider bill

    def list_objects(self, *, tenant_id: int | None = None) -> Iterator[list[StoredObject]]:
        page: list[StoredObject] = []
        for ref, size, modified in self.files.iter_refs(tenant_id):
            page.append(StoredObject(video_id=ref, size_bytes=size, modified_at=modified))
            if len(page) >= LIST_PAGE_SIZE:
                yield page
                page = []
        if page:
            yield page

    def video_info(self, video_id: str) -> StoredInfo | None:
        try:
            return self.files.read_info(self.files.video_dir(video_id))
        except FileNotFoundError:
            return None

    def video_path(self, video_id: str) -> Path:
        return self.files.video_dir(video_id) / "data"


# The probe parses students' bytes inside the worker: only the demuxers of the video types
# uploads accept (validation.py) may read them, and only from this local file (no network,
# no other file). Anything else (Flash video, a raw stream, a playlist) is "not a video".
PROBE_FORMATS = "mov,matroska,avi,mpeg,mpegts,mpegvideo,ogg"
# A file that takes longer than this to open and read the stream headers of is given up
# (FFmpeg checks it between reads): the upload is kept, without a measured duration.
PROBE_TIMEOUT_SECONDS = 60.0
# The types the MP4/QuickTime demuxer reads, the most common uploads (phones, Safari's
# recorder). Such a file is opened with that demuxer at once, not after FFmpeg's format
# probe (every demuxer's guess at the first bytes), and its packets are not analysed: the
# header (moov) holds the frame size and duration measured. Half the probe's CPU. A file
# that is not what its type says is then probed as any other.
_MOV_TYPES = frozenset({"video/mp4", "video/x-m4v", "video/quicktime", "video/3gpp"})
_HEADER_ONLY = {"analyzeduration": "1"}  # microseconds; 0 would mean FFmpeg's default (5 s)


def _probe(path: Path, *, mime: str = "") -> dict[str, Any] | None | Literal[False]:
    """Duration and frame size, read in this process by FFmpeg's libraries (PyAV: no
    ffprobe program per video); False if not a video, None if it could not be read in time."""
    deadline = time.monotonic() + PROBE_TIMEOUT_SECONDS
    if mime in _MOV_TYPES:
        probed = _open_and_measure(path, deadline, demuxer="mov", options=_HEADER_ONLY)
        if probed is not False:
            return probed
    return _open_and_measure(path, deadline)


def _open_and_measure(
    path: Path,
    deadline: float,
    *,
    demuxer: str | None = None,
    options: dict[str, str] | None = None,
) -> dict[str, Any] | None | Literal[False]:
    import av  # here: only workers probe, web processes need not load FFmpeg (~20 MB)

    limits = {"format_whitelist": PROBE_FORMATS, "protocol_whitelist": "file", **(options or {})}
    try:
        with av.open(
            str(path),
            format=demuxer,
            container_options=limits,
            # The headers say the size: no frame is decoded (a 1080p frame costs more than
            # the rest of the probe, and the decoders never see the students' bytes).
            options={"skip_frame": "all"},
            timeout=max(deadline - time.monotonic(), 1e-6),
        ) as container:
            if not container.streams.video:
                return False
            codec = container.streams.video[0].codec_context
            duration = container.duration  # in AV_TIME_BASE units (microseconds)
            return {
                "duration_seconds": duration / av.time_base if duration is not None else None,
                "width": codec.width or None,
                "height": codec.height or None,
            }
    except av.ExitError:  # the timeout
        return None
    except av.FFmpegError:
        return False
