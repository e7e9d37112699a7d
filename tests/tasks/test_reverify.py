"""The periodic sweep task (lti_tool/tasks.reverify_waiting_uploads): uploads whose
verification was lost are checked again; a student's upload over the live API sets them up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from lti_tool.models import Submission
from lti_tool.tasks import reverify_waiting_uploads
from tests.fixtures.live_api import LiveApi

pytestmark = pytest.mark.usefixtures("eager_tasks")  # the upload's own verification runs


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
