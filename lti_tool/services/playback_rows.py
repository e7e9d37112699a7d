"""What a playback link reads and writes: the submission the viewer may see, and, if it is
ready to play, the event row of its playback.

PostgreSQL takes both in one statement (data-modifying WITH, in autocommit): the read and
the committed row in one round trip where they were two (bench/load.py: 0.2-0.3 ms less
worker CPU per link; waiting on the commit is most of what a link waits for). SQLite, which
has no INSERT in WITH, takes two, each in autocommit as before: a transaction would add
nothing to a read followed by one INSERT, and SQLite's read-then-write transactions fail at
once ("database is locked") when another writer got in between, instead of waiting."""

from __future__ import annotations

from django.db import connection

from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission, VideoEvent
from lti_tool.selectors.hot_paths import (
    PlaybackTarget,
    playback_query,
    playback_target,
    submission_to_play,
)
from lti_tool.selectors.rows import fetch_one
from lti_tool.services.events import Event, event_per_row, events_statement
from lti_tool.services.writes import writes_in_one_statement

_READY = Submission.State.READY.value


def playback_rows_write(
    *, claims: LaunchClaims, submission_id: int
) -> tuple[PlaybackTarget, Event, int | None]:
    """The submission to play (SubmissionNotFound if the viewer may not see it), the event
    of its playback and the event row's id: written if the submission is ready, else None
    and nothing written. The caller logs the event once the link is made (`events_logged`),
    or withdraws its row if making it fails."""
    event = Event(
        VideoEvent.Kind.PLAYBACK,
        claims.tenant_id,
        submission_id,
        claims.user_id,
        {"role": claims.role},
    )
    if not writes_in_one_statement():
        target = submission_to_play(claims, submission_id)
        if target.state != _READY:
            return target, event, None
        with connection.cursor() as cursor:
            cursor.execute(*events_statement([event]))
            return target, event, cursor.lastrowid
    select, params = playback_query(claims, submission_id)
    insert, insert_params = event_per_row(event, "target WHERE state = %s")
    row = fetch_one(
        f"WITH target AS ({select}), played AS ({insert})"  # noqa: S608 - constants
        " SELECT target.*, (SELECT id FROM played) FROM target",
        [*params, *insert_params, _READY],
    )
    target = playback_target(claims, submission_id, row)
    return target, event, row[-1] if row is not None else None
