"""Deleting over the JSON API: the independent LMS receives the score reset, the video
leaves storage, and the student's page no longer offers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lti_tool.models import Submission
from tests.advantage.grades_support import api_for, submit_video
from tests.lti_platform.lms import LmsPlatform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]


def test_a_teachers_deletion_resets_the_lms_score(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    student = api_for(live_server, moodle.launch(lms_session, "s1"))
    submitted = submit_video(student, stand_in_video)
    teacher = api_for(live_server, moodle.launch(lms_session, "teacher"))
    path = f"/api/submissions/{submitted['id']}/delete"

    unconfirmed = teacher.post(path, {"reason": "Wrong file"})
    assert unconfirmed.status_code == 400
    assert "confirm" in unconfirmed.json()["message"]
    assert Submission.objects.get().state != Submission.State.DELETED  # refused: nothing written

    deleted = teacher.post(path, {"reason": "Wrong file", "confirm": True})

    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["state"] == "deleted"
    last = moodle.ags.scores[-1]
    assert last["userId"] == moodle.people["s1"].sub
    assert (last["activityProgress"], last["gradingProgress"]) == ("Initialized", "NotReady")
    assert "scoreGiven" not in last
    row = Submission.objects.get()
    assert row.purged_at is not None
    assert student.get("/api/my-submission").json()["current"] is None
