"""The storage interface every video backend implements, and the values it speaks.

Backends never see Django models or return SDK objects: they take and give the frozen
dataclasses below and raise `StorageError`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

UploadProtocol = Literal["tus", "s3-post", "s3-multipart", "local-tus"]
PlaybackKind = Literal["cloudflare-iframe", "hls", "mp4"]


class StorageError(Exception):
    """A provider or storage failure. `permanent` ones are never retried."""

    def __init__(self, message: str, *, permanent: bool = False, code: str = "storage_error"):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code


class UploadRejected(StorageError):
    """The upload itself is not acceptable (size, type, name): the user must change it."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, permanent=True, code=code)


@dataclass(frozen=True)
class UploadContext:
    """Who uploads what, where: the backend uses it for keys, limits and metadata."""

    tenant_id: int
    assignment_id: int
    user_id: int
    submission_id: int
    max_size_bytes: int


@dataclass(frozen=True)
class UploadTicket:
    protocol: UploadProtocol
    url: str
    upload_ref: str
    expires_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Viewer:
    user_id: int
    ip_address: str | None = None


@dataclass(frozen=True)
class Playback:
    kind: PlaybackKind
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class VideoMetadata:
    state: str
    ready: bool
    size_bytes: int | None = None
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_url: str | None = None
    mime_type: str | None = None


class StorageBackend(abc.ABC):
    """One video storage provider. Instances are cached and shared: keep them stateless."""

    name: str

    @abc.abstractmethod
    def create_upload(
        self, ctx: UploadContext, filename: str, size: int, mime: str
    ) -> UploadTicket: ...

    @abc.abstractmethod
    def confirm_upload(self, upload_ref: str, metadata: dict[str, Any]) -> str:
        """Check the upload arrived whole; return the video id. Raises if it is not there."""

    @abc.abstractmethod
    def playback(self, video_id: str, viewer: Viewer, expires_in: int) -> Playback: ...

    @abc.abstractmethod
    def delete_video(self, video_id: str) -> None:
        """Idempotent: deleting a video that is already gone is fine."""

    @abc.abstractmethod
    def video_exists(self, video_id: str) -> bool: ...

    @abc.abstractmethod
    def get_metadata(self, video_id: str) -> VideoMetadata: ...

    @abc.abstractmethod
    def estimate_cost(self, total_bytes: int, total_views: int) -> Decimal:
        """Estimated USD per month."""
