"""A current upload that checks out becomes ready in one conditional UPDATE with its event
(lti_tool/services/submissions.py, `_READY_CLAIM`): it writes what the locked ORM path
writes, once, and leaves every other case to that path."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from lti_tool import tasks
from lti_tool.models import Submission, VideoEvent
from lti_tool.selectors.hot_paths import submission_to_verify
from lti_tool.services.submissions import submission_mark_verified
from storage_backends.base import VideoMetadata
from tests.factories import SubmissionFactory, VideoAssignmentFactory
from tests.fixtures.claims import (
    NOW,
    assert_read_then_claimed,
    sql_sent,
    stored_values,
    twice_at_once,
)

pytestmark = pytest.mark.django_db
State = Submission.State


@pytest.fixture
def uploads(monkeypatch: pytest.MonkeyPatch) -> list[Submission]:
    """Two first uploads of one assignment, waiting for their check."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    assignment = VideoAssignmentFactory(max_duration_seconds=60)
    return [
        SubmissionFactory(
            assignment=assignment,
            state=State.PROCESSING,
            is_current=True,
            size_bytes=5_000,
            verify_attempts=2,
            verify_next_at=NOW + timedelta(minutes=1),
            storage_waiting_since=NOW - timedelta(hours=1),
        )
        for _ in range(2)
    ]


def verified(submission: Submission, metadata: VideoMetadata) -> None:
    seen = submission_to_verify(submission.pk)
    assert seen is not None
    submission_mark_verified(submission_id=submission.pk, metadata=metadata, seen=seen)


@pytest.mark.parametrize(
    "metadata",
    [
        VideoMetadata(state="ready", ready=True, size_bytes=4_321, duration_seconds=42.5),
        VideoMetadata(state="ready", ready=True),  # storage could not measure it
    ],
)
def test_writes_what_the_locked_path_writes(
    claim_path: str, uploads: list[Submission], metadata: VideoMetadata
) -> None:
    claimed, locked = uploads

    verified(claimed, metadata)
    submission_mark_verified(submission_id=locked.pk, metadata=metadata)  # no row seen

    skip = ("id", "student_id")
    assert stored_values(claimed, skip=skip) == stored_values(locked, skip=skip)
    assert stored_values(claimed, skip=())["state"] == State.READY
    events = [stored_values(row, skip=("id", "submission_id")) for row in VideoEvent.objects.all()]
    assert len(events) == 2 and events[0] == events[1]


def test_a_check_that_settled_first_is_left_alone(
    claim_path: str, uploads: list[Submission]
) -> None:
    submission = uploads[0]
    seen = submission_to_verify(submission.pk)
    assert seen is not None
    Submission.objects.filter(pk=submission.pk).update(state=State.FAILED)  # by another check

    ready = VideoMetadata(state="ready", ready=True, duration_seconds=3.0)
    submission_mark_verified(submission_id=submission.pk, metadata=ready, seen=seen)

    submission.refresh_from_db()
    assert submission.state == State.FAILED
    assert not VideoEvent.objects.exists()


@pytest.mark.parametrize(
    ("metadata", "state"),
    [
        (VideoMetadata(state="ready", ready=True, duration_seconds=600.0), State.FAILED),
        (VideoMetadata(state="processing", ready=False), State.PROCESSING),
        (VideoMetadata(state="error", ready=False), State.FAILED),
    ],
)
def test_anything_else_takes_the_locked_path(
    claim_path: str, uploads: list[Submission], metadata: VideoMetadata, state: str
) -> None:
    submission = uploads[0]

    with sql_sent() as sql:
        verified(submission, metadata)

    submission.refresh_from_db()
    assert submission.state == state
    assert not any(s.startswith("WITH claimed") for s in sql)


class _Ready:
    def get_metadata(self, video_id: str) -> VideoMetadata:
        return VideoMetadata(state="ready", ready=True, size_bytes=1_000, duration_seconds=5.0)


def test_round_trips(
    claim_path: str, uploads: list[Submission], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "backend_for_submission", lambda submission: _Ready())

    with sql_sent() as sql:
        assert tasks.verify_submission.apply(args=[uploads[0].pk]).get() == "ready"

    # The submission with its storage, limit and tenant, then the claim with its event row.
    assert_read_then_claimed(sql, claim_path)


class _MeetingStorage:
    """Both checks have read the row and measured the video before either writes."""

    def __init__(self) -> None:
        self.met = threading.Barrier(2, timeout=10)

    def get_metadata(self, video_id: str) -> VideoMetadata:
        self.met.wait()
        return VideoMetadata(state="ready", ready=True, duration_seconds=5.0)


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_make_it_ready_once(
    claim_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL's row locks")
    submission = SubmissionFactory(state=State.UPLOADED, is_current=True)
    storage = _MeetingStorage()
    monkeypatch.setattr(tasks, "backend_for_submission", lambda submission: storage)

    outcomes = twice_at_once(lambda: str(tasks.verify_submission.run(submission.pk)))

    assert outcomes == ["ready", "ready"]

    submission.refresh_from_db()
    assert submission.state == State.READY
    assert VideoEvent.objects.filter(submission=submission).count() == 1
