"""The event log: one row per thing done to a video, plus one structured log line.

Call it inside the transaction of the change it records, so both land or neither does; or
let `event_insert_if_claimed` make the change (a claim) and write its row together.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.writes import Statement, now_as_stored, writes_in_one_statement

logger = logging.getLogger("lti_tool.events")

# One INSERT written out: the ORM's create() cost three times the CPU (model, signals,
# compiler) on the playback link, which records an event per request. The columns are
# VideoEvent's.
_INTO = (
    "INSERT INTO lti_tool_videoevent (tenant_id, user_id, submission_id, kind, details, created_at)"
)
_INSERT = f"{_INTO} VALUES "
_ROW = "(%s, %s, %s, %s, %s, %s)"


@dataclass(frozen=True)
class Event:
    kind: VideoEvent.Kind
    tenant_id: int
    submission_id: int | None
    user_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


def event_record(
    *,
    kind: VideoEvent.Kind,
    submission: Submission,
    user_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    event_insert(
        kind=kind,
        tenant_id=submission.assignment.course.tenant_id,
        submission_id=submission.pk,
        user_id=user_id,
        details=details,
    )


def event_insert(
    *,
    kind: VideoEvent.Kind,
    tenant_id: int,
    submission_id: int | None,
    user_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """`event_record` for a caller that has the ids, not the submission's rows."""
    events_insert([Event(kind, tenant_id, submission_id, user_id, details or {})])


def events_insert(events: Sequence[Event]) -> None:
    """Events in one INSERT, in this order."""
    with connection.cursor() as cursor:
        cursor.execute(*events_statement(events))
    events_logged(events)


def events_statement(events: Sequence[Event], *, new_submission: str = "") -> Statement:
    """The INSERT of `events`. With `new_submission` (SQL giving a submission's id, within
    a statement that inserts it), the events without a submission id take that one."""
    now = now_as_stored()
    rows, params = [], []
    for event in events:
        if new_submission and event.submission_id is None:
            rows.append(f"(%s, %s, {new_submission}, %s, %s, %s)")
            row = [event.tenant_id, event.user_id]
        else:
            rows.append(_ROW)
            row = [event.tenant_id, event.user_id, event.submission_id]
        params += [*row, event.kind.value, json.dumps(event.details), now]
    return _INSERT + ", ".join(rows), params


def events_logged(events: Sequence[Event]) -> None:
    """The log line of each event written (none built when the log leaves them out)."""
    if not logger.isEnabledFor(logging.INFO):
        return
    for event in events:
        logger.info(
            "video_event %s",
            json.dumps(
                {
                    "kind": event.kind.value,
                    "tenant": event.tenant_id,
                    "user": event.user_id,
                    "submission": event.submission_id,
                    **event.details,
                },
                default=str,
            ),
        )


def event_insert_if_claimed(
    *,
    claim: str,
    params: Sequence[Any],
    kind: VideoEvent.Kind,
    tenant_id: int,
    submission_id: int,
    details: dict[str, Any] | None = None,
) -> bool:
    """Run `claim`, an UPDATE of submission `submission_id` whose WHERE says it is still to
    be done, and record the event if it changed the row: both or neither, and a claim
    that finds nothing left to do writes nothing (False). On PostgreSQL one statement in
    autocommit, one round trip where BEGIN, UPDATE, INSERT and COMMIT were four; other
    databases run the two statements in a transaction."""
    details = details or {}
    if not writes_in_one_statement():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(claim, params)
                claimed: bool = cursor.rowcount == 1
            if claimed:
                event_insert(
                    kind=kind,
                    tenant_id=tenant_id,
                    submission_id=submission_id,
                    user_id=None,
                    details=details,
                )
        return claimed
    # The event row in the same statement, its submission id from the claim's RETURNING
    # (PostgreSQL's data-modifying WITH; SQLite has none).
    insert, insert_params = event_per_row(Event(kind, tenant_id, None, None, details), "claimed")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH claimed AS ({claim} RETURNING id) {insert}", [*params, *insert_params]
        )
        claimed = cursor.rowcount == 1
    if claimed:
        events_logged([Event(kind, tenant_id, submission_id, None, details)])
    return claimed


def event_per_row(event: Event, rows: str) -> Statement:
    """The INSERT of `event` once for each row of `rows` (SQL after FROM: a WITH's name, and
    a condition if need be), RETURNING the new rows' ids: the events of a change made in
    the same statement, written only if the change was. An event without a submission id
    takes the row's `id` as its submission. Logged by `events_logged` once it holds."""
    submission = "id" if event.submission_id is None else "%s"
    own = [] if event.submission_id is None else [event.submission_id]
    return (
        f"{_INTO} SELECT %s, %s, {submission}, %s, %s, %s FROM {rows} RETURNING id",  # noqa: S608 - ours
        [
            event.tenant_id,
            event.user_id,
            *own,
            event.kind.value,
            json.dumps(event.details),
            now_as_stored(),
        ],
    )


def event_withdraw(event_id: int) -> None:
    """Delete an event row written for something that then failed before it was done."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lti_tool_videoevent WHERE id = %s", [event_id])
