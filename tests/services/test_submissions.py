"""Submission state changes (lti_tool/services/submissions) called the way a task calls
them: with ids, no request. The upload flows over HTTP are in tests/api."""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool import jobs
from lti_tool.models import Submission, VideoEvent
from lti_tool.services.submissions import submission_mark_failed, submission_mark_verified
from storage_backends.base import VideoMetadata
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
State = Submission.State


@pytest.mark.parametrize("state", [State.UPLOADED, State.PROCESSING])
def test_a_failed_verification_tells_the_student_and_the_log(state: str) -> None:
    submission = SubmissionFactory(state=state)

    submission_mark_failed(submission_id=submission.pk, reason="The video could not be read.")

    submission.refresh_from_db()
    assert submission.state == State.FAILED
    assert submission.error_message == "The video could not be read."
    event = VideoEvent.objects.get(submission=submission)
    assert (event.kind, event.details) == (
        VideoEvent.Kind.UPLOAD_FAILED,
        {"reason": "The video could not be read."},
    )


@pytest.mark.parametrize("state", [State.PENDING_UPLOAD, State.READY, State.DELETED])
def test_a_late_failure_leaves_a_settled_submission_alone(state: str) -> None:
    submission = SubmissionFactory(state=state)

    submission_mark_failed(submission_id=submission.pk, reason="too late")

    submission.refresh_from_db()
    assert (submission.state, submission.error_message) == (state, "")
    assert not VideoEvent.objects.exists()


@pytest.mark.parametrize(
    ("old_state", "kept"), [(State.READY, True), (State.FAILED, False), (State.PROCESSING, False)]
)
def test_a_ready_replacement_keeps_a_ready_video_as_an_earlier_version(
    old_state: str,
    kept: bool,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Only a video that was ready is kept; one that never became ready goes to the purge."""
    old = SubmissionFactory(state=old_state, is_current=True)
    new = SubmissionFactory(assignment=old.assignment, student=old.student, state=State.UPLOADED)
    enqueued: list[tuple[str, tuple[int, ...]]] = []
    monkeypatch.setattr(jobs, "_enqueue", lambda name, *args: enqueued.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        submission_mark_verified(
            submission_id=new.pk, metadata=VideoMetadata(state="ready", ready=True)
        )

    old.refresh_from_db()
    new.refresh_from_db()
    assert (new.state, new.is_current) == (State.READY, True)
    assert old.is_current is False
    assert old.state == (old_state if kept else State.DELETED)
    event = VideoEvent.objects.get(submission=old)
    assert event.kind == ("replaced" if kept else "deletion")
    assert event.details == {"reason": "replaced", "by": new.pk}
    purges = [args for name, args in enqueued if name == jobs.PURGE_VIDEO]
    assert purges == ([] if kept else [(old.pk,)])
