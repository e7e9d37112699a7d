"""Cloudflare Stream: direct creator uploads over tus, locally signed playback, webhooks.

Upload: `create_upload` returns a ticket for OUR tus creation endpoint; that view calls
`forward_tus_creation`, which asks Stream for a one-time upload URL with our token and
our settings, and the browser then PATCHes its bytes straight to Cloudflare.
Playback: an RS256 token signed here with a Stream signing key; no API call per view.
Processing: Stream POSTs a signed webhook when a video is ready or failed.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urljoin

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path

from storage_backends.base import (
    HealthCheck,
    ObjectListing,
    Playback,
    SigningKeyManagement,
    StorageBackend,
    StoredObject,
    TusCreationForwarding,
    UploadContext,
    UploadTicket,
    VideoMetadata,
    Viewer,
    WebhookEvent,
    WebhookReceiver,
    WebhookSubscription,
)
from storage_backends.cloudflare import tus_metadata
from storage_backends.cloudflare.api import StreamAPI
from storage_backends.cloudflare.costs import estimate_monthly_cost
from storage_backends.cloudflare.health import configuration_problems
from storage_backends.cloudflare.options import CloudflareOptions, load_signer
from storage_backends.cloudflare.tokens import MAX_TOKEN_TTL
from storage_backends.cloudflare.videos import metadata_from_video
from storage_backends.cloudflare.webhooks import (
    SIGNATURE_HEADER,
    header_value,
    verify_signature,
)
from storage_backends.errors import ProviderError
from storage_backends.validation import validate_upload

DEFAULT_UPLOAD_URL = "/storage/cloudflare/tus/"
DEFAULT_TICKET_TTL = 24 * 3600
TUS_VERSION = "1.0.0"
# Stream takes tus chunks of at least 5 MiB in multiples of 256 KiB (but the last).
UPLOAD_CHUNK_BYTES = 5 * 1024 * 1024
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # Stream uids are 32 hex digits today
_RESERVED_PATHS = frozenset(
    {"keys", "webhook", "direct_upload", "copy", "live_inputs", "watermarks", "storage-usage"}
)


class CloudflareStreamBackend(
    StorageBackend,
    TusCreationForwarding,
    WebhookReceiver,
    WebhookSubscription,
    SigningKeyManagement,
    HealthCheck,
    ObjectListing,
):
    name = "cloudflare"
    label = "Cloudflare Stream"
    Options = CloudflareOptions
    url_prefix = "cloudflare"

    def __init__(self, **options: Any) -> None:
        self.options = CloudflareOptions.load(options)
        self.api = StreamAPI(
            account_id=self.options.account_id,
            api_token=self.options.api_token,
            api_base=self.options.api_base,
        )
        self.delivery_base = self.options.delivery_base.rstrip("/")
        # Parsed once, kept.
        self.signer = load_signer(self.options.signing_key_id, self.options.signing_key_pem)
        self.webhook_secret = self.options.webhook_secret
        self.max_duration_seconds = self.options.max_duration_seconds
        self.ticket_ttl = self.options.ticket_ttl or _default_ticket_ttl()
        self.upload_url = self.options.upload_url or DEFAULT_UPLOAD_URL

    @classmethod
    def urlpatterns(cls) -> list[URLPattern | URLResolver]:
        """The tus creation endpoint the browser posts to (forwarded to Stream)."""
        return [path("", include("storage_backends.cloudflare.urls"))]

    # -- uploads ---------------------------------------------------------------------

    def ticket_asks_provider(self, size: int) -> bool:
        return False  # Stream is asked when the browser's tus POST reaches our endpoint

    def create_upload(
        self, ctx: UploadContext, filename: str, size: int, mime: str
    ) -> UploadTicket:
        """A ticket for our tus creation endpoint. The web layer signs `upload_ref` (with
        the size) into the ticket's headers and, on the browser's tus POST, calls
        `forward_tus_creation`: no Cloudflare call happens until then."""
        validate_upload(filename=filename, size=size, mime=mime, max_size_bytes=ctx.max_size_bytes)
        return UploadTicket(
            protocol="tus",
            url=self.upload_url,
            upload_ref=uuid.uuid4().hex,
            expires_at=datetime.fromtimestamp(time.time() + self.ticket_ttl, tz=UTC),
            headers={},
            chunk_size=UPLOAD_CHUNK_BYTES,
        )

    def forward_tus_creation(
        self, upload_ref: str, *, upload_length: int, upload_metadata: str
    ) -> tuple[str, str]:
        """POST the creation to Stream with our token; return (Location, stream-media-id).

        The caller has checked `upload_length` against the ticket; Stream enforces
        `maxDurationSeconds` and signed-only playback from the metadata we force here.
        """
        if upload_length <= 0:
            raise ProviderError("The upload is empty.", permanent=True, code="empty_file")
        metadata = tus_metadata.for_provider(
            upload_metadata, upload_ref=upload_ref, max_duration_seconds=self.max_duration_seconds
        )
        response = self.api.call(
            "POST",
            "",
            params={"direct_user": "true"},
            headers={
                "Tus-Resumable": TUS_VERSION,
                "Upload-Length": str(upload_length),
                "Upload-Metadata": metadata,
            },
        )
        assert response is not None
        location, video_id = (
            response.headers.get("Location"),
            response.headers.get("stream-media-id"),
        )
        if not location or not video_id:
            raise ProviderError("Cloudflare Stream created no upload URL.", code="provider_error")
        return urljoin(self.api.base_url, location), video_id

    def confirm_upload(self, upload_ref: str, metadata: dict[str, Any]) -> str:
        """`metadata["video_id"]` is the stream-media-id recorded at creation."""
        video_id = str(metadata.get("video_id") or "")
        video = self._video(video_id) if video_id else None
        meta = (video or {}).get("meta") or {}
        if video is None or meta.get(tus_metadata.REF_KEY) != upload_ref:
            raise ProviderError(
                "No upload arrived for this file.", permanent=True, code="upload_missing"
            )
        if (video.get("status") or {}).get("state") == "pendingupload":
            # Not permanent: the last PATCH may still be landing; asking again can succeed.
            raise ProviderError("The upload is not complete yet.", code="upload_incomplete")
        return video_id

    # -- playback ----------------------------------------------------------------------

    def playback(self, video_id: str, viewer: Viewer, expires_in: int) -> Playback:
        if self.signer is None:
            raise ProviderError(
                "Cloudflare Stream has no signing key configured: an administrator must "
                "create one (storage settings -> create signing key).",
                permanent=True,
                code="not_configured",
            )
        if not self.delivery_base:
            raise ProviderError(
                "Cloudflare Stream has no delivery_base configured.",
                permanent=True,
                code="not_configured",
            )
        now = int(time.time())
        expires_at = now + min(expires_in, MAX_TOKEN_TTL)  # Stream's ceiling for tokens
        # Not bound to viewer.ip_address: a dual-stack browser may reach Cloudflare over
        # IPv6 while we saw IPv4 (or a proxy's address), and the video would not play.
        token = self.signer.sign(video_id, now=now, expires_at=expires_at)
        return Playback(
            kind="cloudflare-iframe",
            url=f"{self.delivery_base}/{token}/iframe",
            expires_at=datetime.fromtimestamp(expires_at, tz=UTC),
        )

    def create_signing_key(self) -> tuple[str, str]:
        """A new Stream signing key: (key id, PEM text). Cloudflare shows it only once:
        store it (encrypted) and load a new backend instance with it."""
        result = self.api.result("POST", "/keys")
        return str(result["id"]), base64.b64decode(result["pem"]).decode("ascii")

    def revoke_signing_key(self, key_id: str) -> None:
        self.api.call("DELETE", f"/keys/{quote(key_id, safe='')}", missing_ok=True)

    # -- webhooks ------------------------------------------------------------------------

    def subscribe_webhook(self, url: str) -> str:
        """Point the account's one webhook at `url`; returns the secret that signs it."""
        result = self.api.result("PUT", "/webhook", json={"notificationUrl": url})
        return str(result["secret"])

    def parse_webhook(self, headers: dict[str, str], body: bytes) -> WebhookEvent:
        if not self.webhook_secret:
            raise ProviderError(
                "No webhook secret is configured.", permanent=True, code="not_configured"
            )
        verify_signature(
            self.webhook_secret, header_value(headers, SIGNATURE_HEADER), body, now=time.time()
        )
        video = _json_object(body)
        video_id = video.get("uid")
        if not isinstance(video_id, str) or not video_id:
            raise ProviderError(
                "The webhook names no video.", permanent=True, code="webhook_invalid"
            )
        return WebhookEvent(video_id=video_id, metadata=metadata_from_video(video))

    # -- videos --------------------------------------------------------------------------

    def delete_video(self, video_id: str) -> None:
        if _is_video_id(video_id):
            self.api.call("DELETE", f"/{video_id}", missing_ok=True)  # 404: already gone

    def video_exists(self, video_id: str) -> bool:
        return self._video(video_id) is not None

    def get_metadata(self, video_id: str) -> VideoMetadata:
        video = self._video(video_id)
        if video is None:
            raise ProviderError("The video is not in storage.", permanent=True, code="not_found")
        return metadata_from_video(video)

    def estimate_cost(self, total_bytes: int, total_views: int) -> Decimal:
        return estimate_monthly_cost(total_bytes, total_views)

    def check(self, *, origin: str | None = None) -> list[str]:
        """Problems an administrator must fix; empty when the configuration works."""
        return configuration_problems(
            api=self.api,
            signer=self.signer,
            delivery_base=self.delivery_base,
            webhook_secret=self.webhook_secret,
        )

    def deletable_id(
        self, *, video_id: str, upload_ref: str, upload_details: Mapping[str, Any]
    ) -> str:
        # An upload never confirmed knows its Stream uid only from the tus creation.
        return video_id or str(upload_details.get("video_id") or "") or upload_ref

    def list_objects(self, *, tenant_id: int | None = None) -> Iterator[list[StoredObject]]:
        """The account's videos, oldest first, a page (Stream answers up to 1000) at a
        time: the next page starts at the last one's creation time; the uids already seen
        at that instant are skipped. Stream has no per-tenant layout: `tenant_id` is
        ignored (one account per storage configuration)."""
        start: str | None = None
        seen_at_start: set[str] = set()
        while True:
            params = {"asc": "true", **({"start": start} if start else {})}
            videos = [
                v for v in self.api.result("GET", "", params=params) or [] if isinstance(v, dict)
            ]
            fresh = [v for v in videos if v.get("uid") not in seen_at_start]
            if not fresh:
                return
            yield [_stored(video) for video in fresh]
            start = str(fresh[-1].get("created") or "")
            seen_at_start = {str(v.get("uid")) for v in videos if v.get("created") == start}
            if not start:
                return

    def _video(self, video_id: str) -> dict[str, Any] | None:
        if not _is_video_id(video_id):
            return None
        response = self.api.call("GET", f"/{video_id}", missing_ok=True)
        return None if response is None else dict(response.result or {})


def _stored(video: Mapping[str, Any]) -> StoredObject:
    created = video.get("created")
    try:
        modified = datetime.fromisoformat(str(created).replace("Z", "+00:00")) if created else None
    except ValueError:
        modified = None
    size = video.get("size")
    return StoredObject(
        video_id=str(video.get("uid")),
        size_bytes=int(size) if isinstance(size, int | float) and size >= 0 else None,
        modified_at=modified,
    )


def _is_video_id(video_id: str) -> bool:
    # Ids reach URL paths: a hostile one must not name another endpoint (`keys`, `../`).
    return bool(_VIDEO_ID.fullmatch(video_id)) and video_id not in _RESERVED_PATHS


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ProviderError(
            "The webhook body is not JSON.", permanent=True, code="webhook_invalid"
        ) from exc
    if not isinstance(value, dict):
        raise ProviderError(
            "The webhook body is not a video.", permanent=True, code="webhook_invalid"
        )
    return value


def _default_ticket_ttl() -> int:
    if settings.configured:
        return int(getattr(settings, "VIDEO_UPLOAD_TICKET_TTL", DEFAULT_TICKET_TTL))
    return DEFAULT_TICKET_TTL
