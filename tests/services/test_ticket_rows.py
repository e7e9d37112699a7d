"""A new upload that replaces unfinished ones without a lock (PostgreSQL's one statement,
`ticket_rows_write_ending_unfinished`) writes what the locked path writes, and ends only
what is still unfinished when it runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.events import Event
from lti_tool.services.ticket_rows import ticket_rows_write, ticket_rows_write_ending_unfinished
from lti_tool.services.upload_resume import unfinished_uploads
from tests.factories import SubmissionFactory
from tests.services.test_writes import values

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="data-modifying WITH"),
]
_WRITTEN_APART = {"id", "created_at", "updated_at", "deleted_at", "submission_id"}
# Each world has its own student, assignment and tenant.
_WORLD = {"student_id", "user_id", "assignment_id", "tenant_id"}


def _world() -> tuple[Submission, list[Submission]]:
    """A student's two unfinished uploads to an assignment, with what must stay as it is:
    their current video, an upload ended before, and their upload to another assignment."""
    first = SubmissionFactory()
    mine = {"assignment": first.assignment, "student": first.student}
    SubmissionFactory(**mine, state="ready", is_current=True)
    SubmissionFactory(**mine, state="deleted")
    SubmissionFactory(student=first.student)  # another assignment's: not replaced
    return first, [first, SubmissionFactory(**mine)]


def _new_upload(template: Submission) -> tuple[Submission, Event]:
    tenant_id = template.assignment.course.tenant_id
    details = {"size": 5, "mime": "video/mp4"}
    requested = Event(
        VideoEvent.Kind.UPLOAD_REQUESTED, tenant_id, None, template.student_id, details
    )
    row = Submission(
        assignment=template.assignment,
        student=template.student,
        backend="local",
        filename="take 2.mp4",
        mime_type="video/mp4",
        size_bytes=5,
    )
    return row, requested


def _rows_and_events(student_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = Submission.objects.filter(student_id=student_id).order_by("pk")
    events = VideoEvent.objects.filter(user_id=student_id).order_by("kind", "submission_id")
    leave_out = _WRITTEN_APART | _WORLD
    return [values(r, leave_out=leave_out) for r in rows], [
        values(e, leave_out=leave_out) for e in events
    ]


def test_writes_the_rows_and_events_the_locked_path_writes() -> None:
    locked_first, _ = _world()
    unlocked_first, replaced = _world()
    new_locked, requested_locked = _new_upload(locked_first)
    new_unlocked, requested_unlocked = _new_upload(unlocked_first)

    with transaction.atomic():
        unfinished = unfinished_uploads(
            assignment_id=locked_first.assignment_id, student_id=locked_first.student_id
        )
        ticket_rows_write(new_locked, requested=requested_locked, replacing=unfinished)
    ticket_rows_write_ending_unfinished(new_unlocked, requested=requested_unlocked)

    assert new_unlocked.pk is not None and not new_unlocked._state.adding
    assert _rows_and_events(unlocked_first.student_id) == _rows_and_events(locked_first.student_id)
    ended = Submission.objects.filter(student_id=unlocked_first.student_id, state="deleted")
    assert ended.count() == 3  # the two unfinished, and the one ended before
    assert all(r.deleted_at for r in Submission.objects.filter(pk__in=[r.pk for r in replaced]))
    assert (
        VideoEvent.objects.filter(
            submission__in=ended, kind="deletion", details__reason="replaced"
        ).count()
        == 2
    )


def test_an_upload_ended_meanwhile_is_not_ended_again() -> None:
    first, unfinished = _world()
    Submission.objects.filter(pk__in=[u.pk for u in unfinished]).update(state="deleted")
    new, requested = _new_upload(first)

    ticket_rows_write_ending_unfinished(new, requested=requested)

    assert not VideoEvent.objects.filter(kind="deletion").exists()
    assert VideoEvent.objects.get().submission_id == new.pk  # its request only
    assert Submission.objects.get(pk=new.pk).state == "pending_upload"
