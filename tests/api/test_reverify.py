"""Uploads whose verification was lost are checked again by the periodic sweep."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from lti_tool.models import Submission
from lti_tool.tasks import reverify_waiting_uploads
from tests.live_api import LiveApi


def test_a_stuck_upload_is_verified_by_the_sweep(student_api: LiveApi, sample_video: Path) -> None:
    submitted = student_api.submit(sample_video)
    # As if the worker had died before verifying: uploaded, and for a while.
    Submission.objects.filter(pk=submitted["id"]).update(
        state=Submission.State.UPLOADED, updated_at=timezone.now() - timedelta(minutes=10)
    )

    assert reverify_waiting_uploads() == 1

    assert student_api.submission(submitted["id"])["state"] == "ready"


def test_recent_uploads_are_left_to_their_own_task(
    student_api: LiveApi, sample_video: Path
) -> None:
    submitted = student_api.submit(sample_video)
    Submission.objects.filter(pk=submitted["id"]).update(state=Submission.State.UPLOADED)

    assert reverify_waiting_uploads() == 0
