"""Upload tickets and playback signatures for the local backend.

A ticket is a signed, expiring grant to upload one file of a known size; the browser
sends it as a header on every tus request. Playback URLs carry an HMAC over the video
id and expiry, so they work in a <video> element without any header.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.core import signing

TICKET_HEADER = "X-Upload-Ticket"
_TICKET_SALT = "storage_backends.local.ticket"


class InvalidTicket(Exception):
    pass


@dataclass(frozen=True)
class TicketGrant:
    ref: str
    size: int
    max_size: int
    mime: str
    filename: str
    expires: int


class LocalSigner:
    def __init__(self, secret: str) -> None:
        # What `signing.dumps` and `loads` would build for every ticket, built once.
        self._tickets = signing.TimestampSigner(key=secret, salt=_TICKET_SALT)
        self._playback_key = hashlib.sha256(f"local-playback:{secret}".encode()).digest()

    def sign_ticket(self, grant: TicketGrant) -> str:
        # `vars`, not `asdict`: its fields are plain values, nothing to deep-copy.
        return self._tickets.sign_object(vars(grant), compress=True)

    def read_ticket(self, token: str | None, *, now: float | None = None) -> TicketGrant:
        if not token:
            raise InvalidTicket("This upload needs an upload ticket.")
        try:
            grant = TicketGrant(**self._tickets.unsign_object(token))
        except (signing.BadSignature, TypeError) as exc:
            raise InvalidTicket("The upload ticket is not valid.") from exc
        if grant.expires < (now or time.time()):
            raise InvalidTicket("The upload ticket has expired. Please start the upload again.")
        return grant

    def playback_signature(self, video_id: str, expires: int) -> str:
        message = f"{video_id}:{expires}".encode()
        return hmac.new(self._playback_key, message, hashlib.sha256).hexdigest()

    def playback_is_valid(self, video_id: str, expires: int, signature: str) -> bool:
        if expires < time.time():
            return False
        return hmac.compare_digest(self.playback_signature(video_id, expires), signature)
