"""The tus `Upload-Metadata` we send Cloudflare when forwarding a browser's creation.

The browser's header is untrusted: Stream reads upload settings from it
(`requiresignedurls`, `maxDurationSeconds`, `expiry`, `allowedorigins`...), so those keys
are dropped and ours are set; the remaining keys (Uppy's `filetype`...) go to `meta`.
"""

from __future__ import annotations

import base64
import binascii

from storage_backends.base import UploadRejected
from storage_backends.validation import sanitize_filename

# Keys Stream treats as settings (compared lower-case); only we may set them.
PROVIDER_KEYS = frozenset(
    {
        "name",
        "requiresignedurls",
        "maxdurationseconds",
        "expiry",
        "scheduleddeletion",
        "allowedorigins",
        "thumbnailtimestamppct",
        "watermark",
    }
)
# Our reference to the ticket, stored in the video's meta: confirm_upload checks it so a
# video id cannot be confirmed for an upload it does not belong to.
REF_KEY = "uploadref"
MAX_HEADER_BYTES = 4096


def parse(header: str) -> dict[str, str | None]:
    """`key base64,flag,...` -> {key: value or None}. Raises UploadRejected if malformed."""
    pairs: dict[str, str | None] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(encoded, validate=True).decode() if encoded else None
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise UploadRejected(
                "The upload's metadata is malformed.", code="invalid_upload_metadata"
            ) from exc
    return pairs


def encode(pairs: dict[str, str | None]) -> str:
    return ",".join(
        key if value is None else f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in pairs.items()
    )


def for_provider(browser_header: str, *, upload_ref: str, max_duration_seconds: int) -> str:
    """The header to send Stream: the browser's harmless keys, then our settings."""
    if len(browser_header.encode()) > MAX_HEADER_BYTES:
        raise UploadRejected("The upload's metadata is too long.", code="invalid_upload_metadata")
    browser = parse(browser_header)
    pairs = {k: v for k, v in browser.items() if k.lower() not in PROVIDER_KEYS | {REF_KEY}}
    pairs["name"] = _name(browser, fallback=upload_ref)
    pairs["requiresignedurls"] = None  # a flag: students' videos never play unsigned
    pairs["maxDurationSeconds"] = str(max_duration_seconds)
    pairs[REF_KEY] = upload_ref
    return encode(pairs)


def _name(browser: dict[str, str | None], *, fallback: str) -> str:
    lowered = {key.lower(): value for key, value in browser.items()}
    for key in ("name", "filename"):
        value = lowered.get(key)
        if value:
            try:
                return sanitize_filename(value)
            except UploadRejected:
                break
    return fallback
