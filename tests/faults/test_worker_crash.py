"""A worker killed with SIGKILL in the middle of verifications and grade sends: after a
restart every submission ends ready and every grade reaches the LMS once in effect (a
repeat carries the same timestamp, which the platform keeps as one score), within seconds.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lti_tool.models import ScoreSend, Submission
from tests.advantage.grades_support import graded_scores, submit_video, wait_for
from tests.faults.conftest import launched, students
from tests.fixtures.workers import WorkerProcess
from tests.lti_platform.lms import LmsPlatform

pytestmark = pytest.mark.integration
STUDENTS = 6


def test_a_worker_killed_mid_work_loses_nothing_and_sends_each_grade_once(
    moodle: LmsPlatform,
    lms_session: Any,
    live_server: Any,
    sample_video: Path,
    worker: WorkerProcess,
) -> None:
    *people, late_a, late_b = students(moodle, STUDENTS + 2)
    submitted = {
        p: submit_video(launched(moodle, lms_session, live_server, p), sample_video) for p in people
    }
    wait_for(
        lambda: Submission.objects.filter(state="ready").count() == len(people),
        timeout=60,
        what="the first verifications",
    )
    # Each score POST now waits 3 s after the LMS kept it: the worker dies in between.
    moodle.ags.score_answer_delay = 3.0
    teacher = launched(moodle, lms_session, live_server, "teacher")
    for n, person in enumerate(people):
        saved = teacher.post(f"/api/submissions/{submitted[person]['id']}/grade", {"score": 50 + n})
        assert saved.status_code == 200, saved.text
    # Two more students upload (verifications queued) while the grades are being sent.
    late = [
        submit_video(launched(moodle, lms_session, live_server, p), sample_video)
        for p in (late_a, late_b)
    ]
    wait_for(
        lambda: (
            sum(len(graded_scores(moodle, p)) for p in people)
            > ScoreSend.objects.filter(kind="graded", state="sent").count()
        ),
        what="a grade the LMS kept and the worker has not heard back about",
    )

    worker.kill()
    in_flight = ScoreSend.objects.filter(state="sending").count()
    assert in_flight >= 1
    moodle.ags.score_answer_delay = 0.0
    killed_at = time.monotonic()
    worker.start()

    wait_for(
        lambda: not ScoreSend.objects.exclude(state__in=["sent", "superseded"]).exists(),
        timeout=60,
        what="every score sent after the restart",
    )
    recovered_in = time.monotonic() - killed_at
    wait_for(
        lambda: all(Submission.objects.get(pk=s["id"]).state == "ready" for s in late),
        timeout=60,
        what="the uploads whose verification the kill interrupted",
    )
    assert not Submission.objects.filter(state__in=["uploaded", "processing", "failed"]).exists()
    for n, person in enumerate(people):
        arrived = graded_scores(moodle, person)
        # Once in effect: one score, perhaps posted twice with the same timestamp.
        assert {(s["scoreGiven"], s["timestamp"]) for s in arrived} == {
            (50 + n, arrived[0]["timestamp"])
        }, arrived
    repeats = Counter((s["userId"], s["timestamp"]) for s in moodle.ags.scores)
    assert max(repeats.values()) == 2  # the killed send, posted again after the restart
    assert recovered_in < 30, f"the killed worker's grades waited {recovered_in:.0f} s"
    assert "released after a restart" in worker.log()
