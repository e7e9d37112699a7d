"""The purge's claim and its event row (lti_tool/services/deletion.py, `_PURGE_CLAIM`) write
what the ORM's UPDATE and the event insert wrote, once, in as few round trips as the
database allows."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.deletion import submission_purge
from lti_tool.services.events import event_insert
from lti_tool.tasks import purge_video
from tests.factories import SubmissionFactory
from tests.fixtures.claims import (
    NOW,
    assert_read_then_claimed,
    sql_sent,
    stored_values,
    twice_at_once,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def deleted(monkeypatch: pytest.MonkeyPatch) -> list[Submission]:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    first = SubmissionFactory(state="deleted", deleted_at=NOW, video_id="gone-1")
    return [first, SubmissionFactory(assignment=first.assignment, state="deleted", deleted_at=NOW)]


def test_writes_what_the_orm_wrote(claim_path: str, deleted: list[Submission]) -> None:
    claimed, by_orm = deleted

    assert submission_purge(submission_id=claimed.pk) == "purged"
    # What the purge did before its claim was written out.
    Submission.objects.filter(pk=by_orm.pk, purged_at__isnull=True).update(
        purged_at=NOW, updated_at=NOW
    )
    event_insert(
        kind=VideoEvent.Kind.PURGED,
        tenant_id=by_orm.assignment.course.tenant_id,
        submission_id=by_orm.pk,
        user_id=None,
        details={"backend": "local", "object": "gone-1"},
    )

    skip = ("id", "student_id", "video_id")
    assert stored_values(claimed, skip=skip) == stored_values(by_orm, skip=skip)
    assert stored_values(claimed, skip=())["purged_at"] == NOW
    events = [stored_values(row, skip=("id", "submission_id")) for row in VideoEvent.objects.all()]
    assert len(events) == 2 and events[0] == events[1]


def test_a_purge_is_recorded_once(claim_path: str, deleted: list[Submission]) -> None:
    submission = deleted[0]

    assert purge_video.apply(args=[submission.pk]).get() == "purged"
    assert purge_video.apply(args=[submission.pk]).get() == "already"
    assert VideoEvent.objects.filter(submission=submission).count() == 1


def test_a_claim_that_finds_the_purge_recorded_writes_nothing(
    claim_path: str, deleted: list[Submission], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent retry recorded the purge between this one's read and its claim."""
    from lti_tool.services import deletion

    submission = deleted[0]
    read = deletion.submission_to_purge

    def read_then_recorded_elsewhere(submission_id: int) -> Any:
        found = read(submission_id)
        Submission.objects.filter(pk=submission_id).update(purged_at=NOW)
        return found

    monkeypatch.setattr(deletion, "submission_to_purge", read_then_recorded_elsewhere)
    assert submission_purge(submission_id=submission.pk) == "already"
    assert not VideoEvent.objects.exists()


def test_round_trips(claim_path: str, deleted: list[Submission]) -> None:
    with sql_sent() as sql:
        assert purge_video.apply(args=[deleted[0].pk]).get() == "purged"

    # The submission with its storage and tenant, then the claim with its event row.
    assert_read_then_claimed(sql, claim_path)


class _MeetingStorage:
    """Both purges have read the row and removed the bytes before either claims."""

    def __init__(self) -> None:
        self.met = threading.Barrier(2, timeout=10)

    def deletable_id(self, **_: Any) -> str:
        return "gone-1"

    def delete_video(self, video_id: str) -> None:
        self.met.wait()


@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_record_it_once(
    claim_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL's row locks")
    from lti_tool.services import deletion

    submission = SubmissionFactory(state="deleted", deleted_at=timezone.now())
    storage = _MeetingStorage()
    monkeypatch.setattr(deletion, "backend_for_submission", lambda submission: storage)

    outcomes = sorted(twice_at_once(lambda: submission_purge(submission_id=submission.pk)))

    assert outcomes == ["already", "purged"]
    assert VideoEvent.objects.filter(submission=submission).count() == 1
