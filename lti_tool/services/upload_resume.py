"""Resuming an upload after a reload, a closed tab or a crash: when the student sends the
same file again, the server hands back the unfinished upload of this submission (same
upload ref, S3 UploadId or Stream video) instead of starting a new one, so the browser
asks storage how far it got (tus HEAD offset, S3 ListParts) and sends only the rest."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from lti_tool.models import Submission
from lti_tool.selectors.hot_paths import UNFINISHED_WHERE
from lti_tool.selectors.rows import fetch_all, model_from_row
from lti_tool.services.writes import row_update
from storage_backends.base import UploadTicket

_TICKET_KEY = "ticket"
# A ticket handed back must leave the browser time to finish.
_MIN_TICKET_LEFT = timedelta(minutes=10)


def ticket_remember(submission: Submission, ticket: UploadTicket) -> None:
    """Keep the ticket with the upload (not shown in the API), to hand it back later."""
    data: dict[str, Any] = vars(ticket).copy()  # not `asdict`: no deep copy is needed
    data["expires_at"] = ticket.expires_at.isoformat()
    submission.upload_details = {**submission.upload_details, _TICKET_KEY: data}


def unfinished_uploads(*, assignment_id: int, student_id: int) -> list[Submission]:
    """The student's uploads to this assignment that never finished, newest first, locked
    (the caller's transaction): a new ticket resumes one of them or ends them all."""
    # Written out: on every ticket, the ORM's compiling of this filter (and a raw queryset's
    # mapping of its columns) cost more CPU than PostgreSQL's answering it. SQLite locks the
    # whole database instead.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return [
        model_from_row(Submission, dict(zip(_NAMES, row, strict=True)))
        for row in fetch_all(_UNFINISHED + lock, [assignment_id, student_id])
    ]


_FIELDS = Submission._meta.concrete_fields
_NAMES = [field.attname for field in _FIELDS]
_UNFINISHED = (
    f"SELECT {', '.join(str(f.column) for f in _FIELDS)} FROM lti_tool_submission"  # noqa: S608 - the model's columns
    f"{UNFINISHED_WHERE} ORDER BY id DESC"
)


def upload_resumable(
    unfinished: list[Submission], *, filename: str, size: int, mime: str
) -> tuple[Submission, UploadTicket] | None:
    """Of `unfinished`, the upload of this very file, with its ticket, if still valid."""
    submission = next(
        (
            row
            for row in unfinished
            if (row.filename, row.size_bytes, row.mime_type) == (filename, size, mime)
        ),
        None,
    )
    stored = submission.upload_details.get(_TICKET_KEY) if submission else None
    if submission is None or not isinstance(stored, dict):
        return None
    expires_at = datetime.fromisoformat(stored["expires_at"])
    ticket = UploadTicket(**{**stored, "expires_at": expires_at})
    if ticket.expires_at - timezone.now() < _MIN_TICKET_LEFT:
        return None
    row_update(submission, ["updated_at"])  # alive again: the sweep spares it
    return submission, ticket
