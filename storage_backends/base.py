"""The storage interface every video backend implements, and the values it speaks.

Backends never see Django models or return SDK objects: they take and give the frozen
dataclasses below and raise `ProviderError` (storage_backends/errors.py).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from storage_backends.errors import ProviderError
from storage_backends.options import BackendOptions

if TYPE_CHECKING:
    from django.urls import URLPattern, URLResolver

# The wire protocols the browser speaks ("local-tus" is plain tus to our own endpoint).
# A new backend speaking one of them needs no front-end change and no edit here.
UploadProtocol = Literal["tus", "s3-post", "s3-multipart", "local-tus"]
PlaybackKind = Literal["cloudflare-iframe", "hls", "mp4"]


class UploadRejected(ProviderError):
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
    # Bytes per request the browser sends (tus chunk, S3 part); None: the whole file.
    chunk_size: int | None = None


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
    progress_pct: float | None = None  # while the provider encodes
    error_code: str | None = None  # the provider's reason when state == "error"
    error_text: str | None = None  # the provider's own words, for the log
    user_message: str | None = None  # the backend's sentence for the student (translated)


class StorageBackend(abc.ABC):
    """One video storage provider. Instances are cached and shared: keep them stateless.

    A backend is found by the dotted path listed in settings.VIDEO_STORAGE_BACKENDS; it
    declares its options (`Options`, which also make its admin form fields), its name
    for people (`label`) and, if it has HTTP endpoints, `urlpatterns()`, which the
    project mounts under `storage/<url_prefix>/`.
    """

    name: str
    label: ClassVar[str] = ""
    Options: ClassVar[type[BackendOptions]] = BackendOptions
    url_prefix: ClassVar[str | None] = None

    @classmethod
    def urlpatterns(cls) -> list[URLPattern | URLResolver]:
        """The backend's own HTTP endpoints (tus, media, forwarding); none by default."""
        return []

    def deletable_id(
        self, *, video_id: str, upload_ref: str, upload_details: Mapping[str, Any]
    ) -> str:
        """The id `delete_video` needs for a submission, confirmed or not."""
        return video_id or upload_ref

    @abc.abstractmethod
    def create_upload(
        self, ctx: UploadContext, filename: str, size: int, mime: str
    ) -> UploadTicket: ...

    def ticket_asks_provider(self, size: int) -> bool:
        """Whether `create_upload` calls the provider for a file of `size` bytes. The app
        writes the upload's row before such a call (an outage or a crash then leaves the
        row, with its reason); a ticket signed here can be made first and saved with the
        row in one write. Asking is the safe answer for a backend that does not say."""
        return True

    @abc.abstractmethod
    def confirm_upload(self, upload_ref: str, metadata: dict[str, Any]) -> str:
        """Check the upload arrived whole; return the video id. Raises if it is not there."""

    @abc.abstractmethod
    def playback(self, video_id: str, viewer: Viewer, expires_in: int) -> Playback: ...

    @abc.abstractmethod
    def delete_video(self, video_id: str) -> None:
        """Idempotent: deleting a video that is already gone is fine. A CDN that refuses to
        drop its cached copy once the bytes are gone raises code `CDN_COPY_LEFT`."""

    @abc.abstractmethod
    def video_exists(self, video_id: str) -> bool: ...

    @abc.abstractmethod
    def get_metadata(self, video_id: str) -> VideoMetadata: ...

    @abc.abstractmethod
    def estimate_cost(self, total_bytes: int, total_views: int) -> Decimal:
        """Estimated USD per month."""


# Capabilities beyond the core interface. The web layer asks `isinstance(backend, X)`,
# never for a backend's name, so a new backend only has to implement what it offers.


@dataclass(frozen=True)
class UploadedPart:
    part_number: int
    etag: str
    size: int | None = None


MultipartOperation = Literal["list_parts", "complete"]


class MultipartUploads(abc.ABC):
    """Browser-driven multipart uploads (S3): we sign each part, the browser PUTs it."""

    @abc.abstractmethod
    def multipart_sign_part(
        self,
        upload_ref: str,
        upload_id: str,
        part_number: int,
        *,
        expected_size: int | None = None,
    ) -> str:
        """A presigned PUT URL for one part; refuses parts the declared size cannot need."""

    @abc.abstractmethod
    def multipart_sign_request(
        self,
        upload_ref: str,
        upload_id: str,
        operation: MultipartOperation,
        *,
        expected_size: int | None = None,
    ) -> str:
        """A presigned URL for the browser's own ListParts or CompleteMultipartUpload of
        this upload (Uppy's AwsS3 plugin, v6, sends them itself). With `expected_size`,
        "complete" is refused unless the parts stored add up to it."""

    @abc.abstractmethod
    def multipart_list_parts(self, upload_ref: str, upload_id: str) -> list[UploadedPart]: ...

    @abc.abstractmethod
    def multipart_complete(
        self, upload_ref: str, upload_id: str, parts: list[UploadedPart], expected_size: int
    ) -> None:
        """Complete, then check the total size (multipart cannot enforce it up front)."""

    @abc.abstractmethod
    def multipart_abort(self, upload_ref: str, upload_id: str) -> None: ...


# The query parameter of the forwarding URL that carries the app's signed ticket: in the
# query string, not a header, as tus clients send their headers on every PATCH too, and
# those go straight to the provider, whose CORS refuses them.
FORWARD_TICKET_PARAM = "ticket"


class TusCreationForwarding(abc.ABC):
    """tus uploads straight to the provider (Cloudflare direct creator uploads): our
    endpoint forwards the creation request and answers with the provider's Location."""

    @abc.abstractmethod
    def forward_tus_creation(
        self, upload_ref: str, *, upload_length: int, upload_metadata: str
    ) -> tuple[str, str]:
        """Returns (one-time upload Location, provider video id)."""


@dataclass(frozen=True)
class WebhookEvent:
    video_id: str
    metadata: VideoMetadata


class WebhookReceiver(abc.ABC):
    """Providers that tell us when processing ends."""

    @abc.abstractmethod
    def parse_webhook(self, headers: dict[str, str], body: bytes) -> WebhookEvent:
        """Verify the signature and freshness; raise ProviderError(permanent=True) if bad."""


class HealthCheck(abc.ABC):
    """Backends that can verify their own configuration (credentials, bucket, CORS...)."""

    @abc.abstractmethod
    def check(self, *, origin: str | None = None) -> list[str]:
        """Problems an administrator must fix; empty when all is well. `origin` is the
        tool's origin, for backends whose browser uploads depend on CORS."""


class SigningKeyManagement(abc.ABC):
    """Providers whose playback tokens we sign with a key created through their API."""

    @abc.abstractmethod
    def create_signing_key(self) -> tuple[str, str]:
        """Returns (key id, PEM); the PEM is shown once: store it encrypted."""


class WebhookSubscription(abc.ABC):
    @abc.abstractmethod
    def subscribe_webhook(self, url: str) -> str:
        """Point the provider's notifications at `url`; returns the signing secret."""


@dataclass(frozen=True)
class StoredObject:
    """One object a provider holds, as its listing names it (`video_id`: what
    `delete_video` takes)."""

    video_id: str
    size_bytes: int | None = None
    modified_at: datetime | None = None


class ObjectListing(abc.ABC):
    """Backends that can list what they store, for reconciliation with the database."""

    @abc.abstractmethod
    def list_objects(self, *, tenant_id: int | None = None) -> Iterator[list[StoredObject]]:
        """Every stored video (and unfinished upload), one provider page at a time, never
        all at once. With `tenant_id`, only that tenant's where the layout tells (a key
        prefix, a folder); a backend without per-tenant layout lists everything."""
