"""What a ticket writes: the new pending upload, the end of the student's unfinished uploads
it replaces, and the events of both. PostgreSQL takes them in one statement (data-modifying
WITH; each round trip cost a ticket ~0.25 ms of CPU), atomic without a transaction; SQLite,
which has no INSERT or UPDATE in WITH, in three, in a transaction (the caller's, with the
unfinished uploads locked)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.db import connection, transaction

from lti_tool.models import Submission
from lti_tool.services.events import (
    Event,
    event_per_row,
    events_insert,
    events_logged,
    events_statement,
)
from lti_tool.services.upload_endings import unfinished_uploads_ending, uploads_ending
from lti_tool.services.writes import (
    Statement,
    insert_statement,
    row_insert,
    row_inserted,
    writes_in_one_statement,
)

_NEW_ID = "(SELECT id FROM new_row)"


def ticket_rows_write(
    submission: Submission, *, requested: Event, replacing: Sequence[Submission]
) -> None:
    """Insert `submission`; end `replacing` (as `upload_revoke`, reason "replaced": the
    caller's transaction holds their locks); write their events, then `requested` (its
    submission id: the new row's). All or nothing."""
    ending: Statement | None = None
    ends: list[Event] = []
    if replacing:
        ending, ends = uploads_ending(
            replacing, reason="replaced", user_id=requested.user_id, tenant_id=requested.tenant_id
        )
    if not writes_in_one_statement():
        with transaction.atomic():
            row_insert(submission)
            if ending:
                with connection.cursor() as cursor:
                    cursor.execute(*ending)
            events_insert([*ends, replace(requested, submission_id=submission.pk)])
        return
    insert, insert_params = insert_statement(submission)
    sql, params = f"WITH new_row AS ({insert})", insert_params
    if ending:
        sql, params = f"{sql}, ended AS ({ending[0]})", [*params, *ending[1]]
    events, event_params = events_statement([*ends, requested], new_submission=_NEW_ID)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} {events} RETURNING {_NEW_ID}", [*params, *event_params])
        (pk,) = cursor.fetchone()
    row_inserted(submission, pk)
    events_logged([*ends, replace(requested, submission_id=pk)])


def ticket_rows_write_ending_unfinished(submission: Submission, *, requested: Event) -> None:
    """PostgreSQL: `ticket_rows_write` for a new upload that ends whichever of the student's
    uploads to the assignment are unfinished when it is written (no lock, no transaction:
    the end is a conditional UPDATE, so two tickets at once never end one upload twice).
    The caller knows no unfinished upload is of this very file (it would resume it)."""
    ending, ended_event = unfinished_uploads_ending(
        assignment_id=submission.assignment_id,
        student_id=submission.student_id,
        reason="replaced",
        user_id=requested.user_id,
        tenant_id=requested.tenant_id,
    )
    insert, insert_params = insert_statement(submission)
    ended_events, ended_params = event_per_row(ended_event, "ended")
    events, event_params = events_statement([requested], new_submission=_NEW_ID)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new_row AS ({insert}), ended AS ({ending[0]}), ended_events AS ({ended_events})"  # noqa: S608 - ours
            f" {events} RETURNING {_NEW_ID}, (SELECT array_agg(id ORDER BY id) FROM ended)",
            [*insert_params, *ending[1], *ended_params, *event_params],
        )
        pk, ended_ids = cursor.fetchone()
    row_inserted(submission, pk)
    ends = [replace(ended_event, submission_id=ended) for ended in ended_ids or []]
    events_logged([*ends, replace(requested, submission_id=pk)])
