"""The server side of tus 1.0.0 (core + creation, termination, expiration) over LocalFiles.

Written here because the tus servers on PyPI are stale or bound to other frameworks;
this module knows nothing of HTTP frameworks: the view hands it headers and a stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Protocol

from storage_backends.errors import ProviderError
from storage_backends.local.files import LocalFiles, StoredInfo, disk_errors
from storage_backends.local.tickets import InvalidTicket, LocalSigner, TicketGrant

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
_CHUNK = 1024 * 1024


class Readable(Protocol):
    """What PATCH reads the chunk from: the Django request, or any binary file."""

    def read(self, size: int, /) -> bytes: ...


@dataclass
class TusResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def _refused(status: int, message: str) -> ProviderError:
    """The browser's tus request is wrong: answered with `status`, never retried."""
    return ProviderError(message, permanent=True, status=status, code="tus_refused")


class TusServer:
    def __init__(self, files: LocalFiles, signer: LocalSigner, max_size: int) -> None:
        self.files = files
        self.signer = signer
        self.max_size = max_size

    def options(self) -> TusResponse:
        return TusResponse(
            204,
            {
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(self.max_size),
            },
        )

    def create(
        self, headers: Mapping[str, str], ticket: str | None, ref: str | None = None
    ) -> tuple[str, TusResponse]:
        """POST: start (or restart) the upload a ticket grants; returns (ref, response).
        `ref`, when the URL names one, must be the ticket's."""
        grant = self._grant(ticket, ref)
        length = _int_header(headers, "Upload-Length")
        if length > grant.max_size:
            raise _refused(413, "The file is larger than this upload allows.")
        if length != grant.size:
            raise _refused(400, "Upload-Length does not match the size announced for this file.")
        if self.files.read_info(self.files.video_dir(grant.ref)) is not None:
            raise _refused(409, "This upload is already complete.")
        with self.files.locked(grant.ref):
            metadata = headers.get("Upload-Metadata", "")
            info = StoredInfo(length, grant.filename, grant.mime, metadata)
            with disk_errors():  # data first: info.json is what makes the upload exist
                folder = self.files.upload_dir(grant.ref)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "data").write_bytes(b"")
            self.files.write_info(folder, info)
        return grant.ref, TusResponse(201, {"Upload-Offset": "0", **self._expires(grant)})

    def head(self, ref: str, ticket: str | None) -> TusResponse:
        grant = self._grant(ticket, ref)
        info = self._info(ref)
        return TusResponse(
            200,
            {
                "Upload-Offset": str(self.files.offset(ref)),
                "Upload-Length": str(info.length),
                "Upload-Metadata": info.upload_metadata,
                "Cache-Control": "no-store",
                **self._expires(grant),
            },
        )

    def patch(
        self, ref: str, ticket: str | None, headers: Mapping[str, str], body: Readable
    ) -> TusResponse:
        grant = self._grant(ticket, ref)
        if headers.get("Content-Type", "") != "application/offset+octet-stream":
            raise _refused(415, "PATCH requests must be application/offset+octet-stream.")
        offset = _int_header(headers, "Upload-Offset")
        with self.files.locked(ref):
            info = self._info(ref)
            if offset != self.files.offset(ref):
                raise _refused(409, "Upload-Offset does not match the bytes received so far.")
            new_offset = self._append(ref, body, offset, info.length, headers)
        return TusResponse(204, {"Upload-Offset": str(new_offset), **self._expires(grant)})

    def terminate(self, ref: str, ticket: str | None) -> TusResponse:
        """Idempotent: an upload already ended (Cancel also asks our API, whose purge may
        come first) is answered like a fresh termination, not with an error for the client."""
        self._grant(ticket, ref)
        self.files.remove_upload(ref)
        return TusResponse(204)

    def _append(
        self, ref: str, body: Readable, offset: int, length: int, headers: Mapping[str, str]
    ) -> int:
        declared = headers.get("Content-Length")
        remaining = length - offset
        if declared is not None and int(declared) > remaining:
            raise _refused(413, "This chunk would go past the end of the file.")
        written = 0
        # Bytes are flushed as they arrive: a dropped connection keeps what came, and the
        # client resumes from the offset HEAD reports.
        with disk_errors(), (self.files.upload_dir(ref) / "data").open("ab") as data:
            while written < remaining:
                chunk = body.read(min(_CHUNK, remaining - written))
                if not chunk:
                    break
                data.write(chunk)
                data.flush()
                written += len(chunk)
        return offset + written

    def _grant(self, ticket: str | None, ref: str | None = None) -> TicketGrant:
        try:
            grant = self.signer.read_ticket(ticket)
        except InvalidTicket as exc:
            raise _refused(403, str(exc)) from exc
        if ref is not None and grant.ref != ref:
            raise _refused(403, "The upload ticket is for another upload.")
        return grant

    def _info(self, ref: str) -> StoredInfo:
        try:
            info = self.files.read_info(self.files.upload_dir(ref))
        except FileNotFoundError:
            info = None
        if info is None:
            raise _refused(404, "No such upload.")
        return info

    @staticmethod
    def _expires(grant: TicketGrant) -> dict[str, str]:
        when = datetime.fromtimestamp(grant.expires, tz=UTC)
        return {"Upload-Expires": format_datetime(when, usegmt=True)}


def _int_header(headers: Mapping[str, str], name: str) -> int:
    try:
        value = int(headers[name])
    except (KeyError, ValueError) as exc:
        raise _refused(400, f"The {name} header is missing or not a number.") from exc
    if value < 0:
        raise _refused(400, f"The {name} header must not be negative.")
    return value
