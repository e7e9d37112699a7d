"""The statements an upload ticket writes with (lti_tool/services/writes.py, the events'
INSERT, the unfinished uploads' read) do what the ORM does: the same rows, the same values
(JSON, dates, nulls), read back through the ORM."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from lti_tool.models import StorageConfig, Submission, VideoEvent
from lti_tool.services.events import Event, event_insert, events_insert
from lti_tool.services.ticket_rows import ticket_rows_write
from lti_tool.services.upload_resume import unfinished_uploads
from lti_tool.services.writes import row_insert, row_update, rows_update
from tests.factories import StorageConfigFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
_MOMENTS = {"id", "created_at", "updated_at"}  # differ between two rows written one after another


def fields_of(row: Model, *, leave_out: set[str] = _MOMENTS) -> dict[str, Any]:
    fields = row._meta.concrete_fields
    return {f.attname: getattr(row, f.attname) for f in fields if f.attname not in leave_out}


def values(row: Model, *, leave_out: set[str] = _MOMENTS) -> dict[str, Any]:
    """The row as the ORM reads it back."""
    return fields_of(type(row).objects.get(pk=row.pk), leave_out=leave_out)


def new_submission(template: Submission, storage: StorageConfig | None) -> Submission:
    return Submission(
        assignment=template.assignment,
        student=template.student,
        backend="local",
        storage=storage,
        filename="take 2.mp4",
        mime_type="video/mp4",
        size_bytes=5_000_000,
        upload_details={"protocol": "local-tus", "nested": {"ü": [1, None]}},
    )


@pytest.mark.parametrize("with_storage", [True, False])
def test_row_insert_writes_the_row_create_writes(with_storage: bool) -> None:
    template = SubmissionFactory()
    storage = (
        StorageConfigFactory(tenant=template.assignment.course.tenant) if with_storage else None
    )
    by_orm = new_submission(template, storage)
    by_orm.save(force_insert=True)
    by_hand = new_submission(template, storage)

    row_insert(by_hand)

    assert by_hand.pk is not None and not by_hand._state.adding
    assert values(by_hand) == values(by_orm)
    stored = Submission.objects.get(pk=by_hand.pk)
    assert (stored.created_at, stored.updated_at) == (by_hand.created_at, by_hand.updated_at)


def test_row_insert_writes_a_key_set_beforehand_as_save_does() -> None:
    """A ticket signed before its row is written takes the id the read reserved."""
    template = SubmissionFactory()
    by_orm, by_hand = new_submission(template, None), new_submission(template, None)
    by_orm.pk, by_hand.pk = template.pk + 10, template.pk + 20
    by_orm.save(force_insert=True)

    row_insert(by_hand)

    assert by_hand.pk == template.pk + 20
    assert values(by_hand, leave_out={"created_at", "updated_at"}) == values(
        by_orm, leave_out={"created_at", "updated_at"}
    ) | {"id": template.pk + 20}


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the ORM's fallback (lastrowid) exists for SQLite only"
)
def test_row_insert_falls_back_to_the_orm(monkeypatch: pytest.MonkeyPatch) -> None:
    template = SubmissionFactory()
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    by_hand = new_submission(template, None)

    row_insert(by_hand)

    assert values(by_hand) == values(template) | {
        "filename": "take 2.mp4",
        "size_bytes": 5_000_000,
        "upload_details": {"protocol": "local-tus", "nested": {"ü": [1, None]}},
        "backend": "local",
        "mime_type": "video/mp4",
        "state": "pending_upload",
        "is_current": False,
        "video_id": "",
    }


def test_row_update_writes_what_save_with_update_fields_writes() -> None:
    by_orm, by_hand = SubmissionFactory(), SubmissionFactory()
    yesterday = timezone.now() - timedelta(days=1)
    Submission.objects.update(updated_at=yesterday)
    before = values(by_hand)
    changed = {"upload_ref": "t1-abc", "upload_details": {"ticket": {"url": "/u?ref=t1-abc"}}}
    for row in (by_orm, by_hand):
        row.refresh_from_db()
        for name, value in changed.items():
            setattr(row, name, value)
        row.filename = "not saved.mp4"  # not among the fields: left as it is

    by_orm.save(update_fields=["upload_ref", "upload_details", "updated_at"])
    row_update(by_hand, ["upload_ref", "upload_details", "updated_at"])

    assert values(by_hand) == before | changed
    assert {k: values(by_orm)[k] for k in changed} == changed
    stored = Submission.objects.get(pk=by_hand.pk)
    assert stored.updated_at == by_hand.updated_at > yesterday  # auto_now, as save sets it
    assert Submission.objects.get(pk=by_orm.pk).updated_at > yesterday


def test_rows_update_changes_the_rows_update_changes() -> None:
    by_orm = [SubmissionFactory(), SubmissionFactory()]
    by_hand = [SubmissionFactory(), SubmissionFactory()]
    untouched = SubmissionFactory()
    now = timezone.now()
    ended = {"state": Submission.State.DELETED, "deleted_at": now, "updated_at": now}

    Submission.objects.filter(pk__in=[s.pk for s in by_orm]).update(**ended)
    rows_update(Submission, [s.pk for s in by_hand], ended)

    for orm, hand in zip(by_orm, by_hand, strict=True):
        assert {k: values(hand)[k] for k in ("state", "deleted_at")} == {
            k: values(orm)[k] for k in ("state", "deleted_at")
        }
        assert Submission.objects.get(pk=hand.pk).updated_at == now
    assert Submission.objects.get(pk=untouched.pk).state == untouched.state


def test_events_insert_writes_the_rows_create_writes() -> None:
    submission = SubmissionFactory()
    tenant_id = submission.assignment.course.tenant_id
    details = {"size": 5, "mime": "video/mp4", "nested": {"é": None}}
    kinds = [VideoEvent.Kind.DELETION, VideoEvent.Kind.UPLOAD_REQUESTED]
    by_orm = [
        VideoEvent.objects.create(
            tenant_id=tenant_id, user_id=None, submission=submission, kind=k, details=details
        )
        for k in kinds
    ]

    events_insert([Event(k, tenant_id, submission.pk, None, details) for k in kinds])
    event_insert(
        kind=VideoEvent.Kind.PLAYBACK, tenant_id=tenant_id, submission_id=None, user_id=None
    )

    written = list(VideoEvent.objects.exclude(pk__in=[e.pk for e in by_orm]).order_by("pk"))
    assert [values(e) for e in written[:2]] == [values(e) for e in by_orm]  # in this order
    assert values(written[2]) == values(by_orm[0]) | {
        "kind": "playback",
        "submission_id": None,
        "details": {},
    }
    assert all(abs(e.created_at - by_orm[0].created_at) < timedelta(seconds=5) for e in written)


def test_unfinished_uploads_are_the_rows_the_orm_finds() -> None:
    first = SubmissionFactory(upload_details={"ticket": {"url": "/u"}}, size_bytes=10)
    mine = {"assignment": first.assignment, "student": first.student}
    second = SubmissionFactory(**mine)
    SubmissionFactory(**mine, state="ready", is_current=True)  # finished
    SubmissionFactory(**mine, state="deleted")  # ended
    SubmissionFactory(assignment=first.assignment)  # someone else's
    SubmissionFactory(student=first.student)  # another assignment

    found = unfinished_uploads(assignment_id=first.assignment_id, student_id=first.student_id)

    expected = Submission.objects.filter(
        **mine, is_current=False, state=Submission.State.PENDING_UPLOAD
    ).order_by("-id")
    assert [s.pk for s in found] == [second.pk, first.pk]
    everything: set[str] = set()
    assert [fields_of(s, leave_out=everything) for s in found] == [
        fields_of(s, leave_out=everything) for s in expected
    ]


@pytest.mark.parametrize("replacing", [0, 2])
def test_ticket_rows_write_writes_what_the_orm_writes(
    replacing: int, django_capture_on_commit_callbacks: Any
) -> None:
    """PostgreSQL's one statement, SQLite's three: the rows the ORM would write."""
    template = SubmissionFactory()
    tenant_id, user_id = template.assignment.course.tenant_id, template.student_id
    mine = {"assignment": template.assignment, "student": template.student}
    old = [SubmissionFactory(**mine) for _ in range(replacing)]
    old_twins = [SubmissionFactory(**mine) for _ in range(replacing)]
    details = {"size": 5_000_000, "mime": "video/mp4"}
    twin = new_submission(template, None)
    twin.save()
    for row in old_twins:
        row.state, row.deleted_at = Submission.State.DELETED, timezone.now()
        row.save()
    orm_events = [
        VideoEvent.objects.create(
            tenant_id=tenant_id,
            user_id=user_id,
            submission=row,
            kind=VideoEvent.Kind.DELETION,
            details={"reason": "replaced", "stage": "upload"},
        )
        for row in old_twins
    ] + [
        VideoEvent.objects.create(
            tenant_id=tenant_id,
            user_id=user_id,
            submission=twin,
            kind="upload_requested",
            details=details,
        )
    ]
    submission = new_submission(template, None)
    requested = Event(VideoEvent.Kind.UPLOAD_REQUESTED, tenant_id, None, user_id, details)

    with django_capture_on_commit_callbacks() as purges:
        ticket_rows_write(submission, requested=requested, replacing=old)

    assert values(submission) == values(twin)
    for row, orm_row in zip(old, old_twins, strict=True):
        assert values(row, leave_out={"id", "created_at", "updated_at", "deleted_at"}) == values(
            orm_row, leave_out={"id", "created_at", "updated_at", "deleted_at"}
        )
        assert Submission.objects.get(pk=row.pk).deleted_at == row.deleted_at
    written = VideoEvent.objects.exclude(pk__in=[e.pk for e in orm_events]).order_by("pk")
    twin_of = {twin.pk: submission.pk} | {t.pk: o.pk for t, o in zip(old_twins, old, strict=True)}
    expected = [values(e) | {"submission_id": twin_of[e.submission_id]} for e in orm_events]
    assert [values(e) for e in written] == expected  # the ended uploads' first, in order
    assert purges == []  # the ended uploads' bytes wait for the sweep: no task message
