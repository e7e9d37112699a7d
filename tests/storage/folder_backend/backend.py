"""FolderBackend: everything a backend owns, in one package (options, admin fields through
them, prices, endpoints, upload tuning)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, include, path

from storage_backends.base import (
    Playback,
    StorageBackend,
    UploadContext,
    UploadTicket,
    VideoMetadata,
    Viewer,
)
from storage_backends.errors import ProviderError
from storage_backends.local.files import LocalFiles, StoredInfo
from storage_backends.local.tickets import TICKET_HEADER, LocalSigner, TicketGrant
from storage_backends.local.tus import TusServer
from storage_backends.options import BackendOptions, option
from storage_backends.validation import normalized_mime, validate_upload

PRICE_PER_GB_MONTH = Decimal("0.01")  # a made-up price, to show where prices live
CHUNK_SIZE = 256 * 1024  # small chunks: the browser test sees several PATCHes


@dataclass(frozen=True, kw_only=True)
class FolderOptions(BackendOptions):
    provider: ClassVar[str] = "Folder storage"
    secret_options: ClassVar[frozenset[str]] = frozenset({"signing_secret"})

    root: str = option(label="Folder")
    signing_secret: str = option(label="Signing secret")
    chunk_size: int = option(CHUNK_SIZE, label="tus chunk size (bytes)")


class FolderBackend(StorageBackend):
    name = "folder"
    label = "Folder (tests only)"
    Options = FolderOptions
    url_prefix = "folder"

    def __init__(self, **options: Any) -> None:
        self.options = FolderOptions.load(options)
        self.files = LocalFiles(Path(self.options.root))
        self.signer = LocalSigner(self.options.signing_secret)
        self.tus = TusServer(self.files, self.signer, 10 * 1024**3)

    @classmethod
    def urlpatterns(cls) -> list[URLPattern | URLResolver]:
        return [path("", include("tests.storage.folder_backend.urls"))]

    def create_upload(
        self, ctx: UploadContext, filename: str, size: int, mime: str
    ) -> UploadTicket:
        safe_name = validate_upload(
            filename=filename, size=size, mime=mime, max_size_bytes=ctx.max_size_bytes
        )
        expires = int(time.time()) + 3600
        grant = TicketGrant(
            uuid.uuid4().hex, size, ctx.max_size_bytes, normalized_mime(mime), safe_name, expires
        )
        return UploadTicket(
            protocol="tus",
            url=f"/storage/folder/uploads/?{urlencode({'upload': grant.ref})}",
            upload_ref=grant.ref,
            expires_at=datetime.fromtimestamp(expires, tz=UTC),
            headers={TICKET_HEADER: self.signer.sign_ticket(grant)},
            chunk_size=self.options.chunk_size,
        )

    def confirm_upload(self, upload_ref: str, metadata: dict[str, Any]) -> str:
        if self.video_exists(upload_ref):
            return upload_ref
        try:
            info = self.files.read_info(self.files.upload_dir(upload_ref))
            if info is None or self.files.offset(upload_ref) != info.length:
                raise ProviderError(
                    "No complete upload arrived for this file.",
                    permanent=True,
                    code="upload_missing",
                )
            self.files.promote(upload_ref)
        except FileNotFoundError as exc:
            raise ProviderError(
                "No upload arrived for this file.", permanent=True, code="upload_missing"
            ) from exc
        return upload_ref

    def playback(self, video_id: str, viewer: Viewer, expires_in: int) -> Playback:
        expires = int(time.time()) + expires_in
        signature = self.signer.playback_signature(video_id, expires)
        query = urlencode({"expires": expires, "signature": signature})
        return Playback(
            kind="mp4",
            url=f"/storage/folder/videos/{video_id}?{query}",
            expires_at=datetime.fromtimestamp(expires, tz=UTC),
        )

    def delete_video(self, video_id: str) -> None:
        try:
            self.files.remove_video(video_id)
            self.files.remove_upload(video_id)
        except FileNotFoundError:
            return

    def video_exists(self, video_id: str) -> bool:
        return self.video_info(video_id) is not None

    def get_metadata(self, video_id: str) -> VideoMetadata:
        info = self.video_info(video_id)
        if info is None:
            raise ProviderError("The video is not in storage.", permanent=True, code="not_found")
        # A folder stores bytes: no probing, so no duration (like S3).
        return VideoMetadata(state="ready", ready=True, size_bytes=info.length, mime_type=info.mime)

    def estimate_cost(self, total_bytes: int, total_views: int) -> Decimal:
        return (Decimal(total_bytes) / 1000**3 * PRICE_PER_GB_MONTH).quantize(Decimal("0.01"))

    def video_info(self, video_id: str) -> StoredInfo | None:
        try:
            return self.files.read_info(self.files.video_dir(video_id))
        except FileNotFoundError:
            return None
