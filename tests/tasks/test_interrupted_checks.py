"""A check whose worker died (its message came back, "redelivered") is counted; the third
such check fails the upload instead of letting its file kill a third worker (the local
backend's probe parses the student's bytes in the worker's own process)."""

from __future__ import annotations

from typing import Any

import pytest

from lti_tool import tasks
from lti_tool.models import Submission
from storage_backends.base import VideoMetadata
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


class _StillProcessing:
    """Storage that keeps answering "processing": the check never settles by itself."""

    checked = 0

    def get_metadata(self, video_id: str) -> VideoMetadata:
        _StillProcessing.checked += 1
        return VideoMetadata(state="processing", ready=False)


@pytest.fixture
def storage(monkeypatch: pytest.MonkeyPatch) -> type[_StillProcessing]:
    _StillProcessing.checked = 0
    monkeypatch.setattr(tasks, "backend_for_submission", lambda submission: _StillProcessing())
    return _StillProcessing


def _check(submission: Submission, *, redelivered: bool) -> Any:
    tasks.verify_submission.push_request(delivery_info={"redelivered": redelivered})
    try:
        return tasks.verify_submission.run(submission.pk)
    finally:
        tasks.verify_submission.pop_request()


def test_the_third_check_a_worker_died_on_fails_the_upload(
    storage: type[_StillProcessing],
) -> None:
    uploaded = SubmissionFactory(state=Submission.State.UPLOADED, is_current=True)

    assert _check(uploaded, redelivered=True) == "processing"
    assert _check(uploaded, redelivered=True) == "processing"
    assert _check(uploaded, redelivered=True) == "failed"

    uploaded.refresh_from_db()
    assert uploaded.state == Submission.State.FAILED
    assert uploaded.error_message == "This file could not be read as a video."
    assert storage.checked == 2  # the third did not touch the file


def test_checks_that_ran_to_their_end_are_not_counted(storage: type[_StillProcessing]) -> None:
    uploaded = SubmissionFactory(state=Submission.State.UPLOADED, is_current=True)

    for _ in range(5):
        assert _check(uploaded, redelivered=False) == "processing"

    uploaded.refresh_from_db()
    assert uploaded.state == Submission.State.PROCESSING
    assert "interrupted_checks" not in uploaded.upload_details
