"""Client-side helpers the tests (and the cross-backend conformance suite) share."""

from __future__ import annotations

import base64
import binascii

import requests

TUS_VERSION = "1.0.0"


def encode_tus_metadata(pairs: dict[str, str | None]) -> str:
    """{key: value or None (a flag)} -> the tus `Upload-Metadata` header."""
    return ",".join(
        key if value is None else f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in pairs.items()
    )


def parse_tus_metadata(header: str) -> dict[str, str | None]:
    """The reverse of encode_tus_metadata. Raises ValueError when a value is not base64."""
    pairs: dict[str, str | None] = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, value = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(value, validate=True).decode() if value else None
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"bad metadata value for {key}") from exc
    return pairs


class TusUploadError(Exception):
    """A tus request got an answer a client would not go on after."""

    def __init__(self, response: requests.Response) -> None:
        method = response.request.method if response.request is not None else "?"
        super().__init__(f"tus {method} answered {response.status_code}: {response.text[:200]}")
        self.status = response.status_code
        self.response = response


def upload_with_tus(
    location: str, data: bytes, chunk_size: int, *, headers: dict[str, str] | None = None
) -> int:
    """Upload `data` to a tus upload URL as a browser's tus client does: HEAD for the
    offset (so it resumes a partial upload), then PATCH `chunk_size` pieces.

    Returns the final offset; raises TusUploadError on any other answer than 200/204.
    `headers` go on every request (a backend's ticket headers, for instance).
    """
    sent = {"Tus-Resumable": TUS_VERSION, **(headers or {})}
    with requests.Session() as session:
        head = session.head(location, headers=sent, timeout=10)
        if head.status_code != 200:
            raise TusUploadError(head)
        offset = int(head.headers["Upload-Offset"])
        while offset < len(data):
            patch = session.patch(
                location,
                data=data[offset : offset + chunk_size],
                timeout=60,
                headers={
                    **sent,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            if patch.status_code != 204:
                raise TusUploadError(patch)
            offset = int(patch.headers["Upload-Offset"])
    return offset
