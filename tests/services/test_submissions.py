"""Submission state changes (lti_tool/services/submissions) called the way a task calls
them: with ids, no request. The upload flows over HTTP are in tests/api."""

from __future__ import annotations

import pytest

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.submissions import submission_mark_failed
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
