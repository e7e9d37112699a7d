"""The LMS's AGS endpoint fails while a teacher grades 50 submissions: every grade is saved
at once, the teacher sees each one waiting ("Not sent yet ... Retrying automatically"), and
once the LMS is back each grade arrives exactly once.

The outage lasts FAULT_LMS_OUTAGE_SECONDS (default 10 s, to keep CI quick on two shared
cores; the issue's measurement used 120: `FAULT_LMS_OUTAGE_SECONDS=120 pytest ...`). The
worker's backoff is shortened to 1-4 s (GRADE_RETRY_*), so the run shows several retries
of every grade during the outage whatever its length.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from lti_tool.models import ScoreSend, VideoAssignment
from tests.advantage.grades_support import graded_scores, wait_for
from tests.faults.conftest import launched, ready_submissions, students
from tests.fixtures.workers import RedisServer, WorkerProcess, web_broker, worker_env
from tests.lti_platform.lms import LmsPlatform

pytestmark = pytest.mark.integration
GRADED = 50
OUTAGE_SECONDS = float(os.environ.get("FAULT_LMS_OUTAGE_SECONDS", "10"))


@pytest.fixture
def quick_retry_worker(redis_server: RedisServer, tmp_path: Path) -> Any:
    env = worker_env(redis_server.url, GRADE_RETRY_BASE_SECONDS="1", GRADE_RETRY_CAP_SECONDS="4")
    process = WorkerProcess(env, tmp_path)
    with web_broker(redis_server.url):
        process.start()
        try:
            yield process
        finally:
            process.kill()


@pytest.mark.timeout(OUTAGE_SECONDS + 120)
def test_an_lms_outage_delays_fifty_grades_which_then_arrive_once(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, quick_retry_worker: WorkerProcess
) -> None:
    people = students(moodle, GRADED)
    teacher = launched(moodle, lms_session, live_server, "teacher")
    submissions = ready_submissions(moodle, people)
    # The gradebook column exists before the LMS fails (its creation is a task of its own;
    # while it waits, sends say "the gradebook column is being set up" instead).
    assignment = submissions[people[0]].assignment
    wait_for(
        lambda: bool(VideoAssignment.objects.get(pk=assignment.pk).lineitem_url),
        timeout=30,
        what="the gradebook column",
    )
    moodle.ags.outage(503)
    outage_started = time.monotonic()

    for n, person in enumerate(people):
        saved = teacher.post(f"/api/submissions/{submissions[person].pk}/grade", {"score": n})
        assert saved.status_code == 200, saved.text
        assert saved.json()["sync"]["state"] == "pending"
    wait_for(
        lambda: ScoreSend.objects.filter(kind="graded", attempts__gte=2).count() == GRADED,
        timeout=OUTAGE_SECONDS + 30,
        what="every grade tried at least twice during the outage",
    )
    shown = teacher.get(f"/api/submissions/{submissions[people[-1]].pk}/grade").json()["sync"]
    assert shown["state"] == "pending"
    assert shown["message"].startswith("Not sent yet: The LMS answered HTTP 503.")
    assert "Retrying automatically" in shown["message"]
    assert not any(graded_scores(moodle, person) for person in people)
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))

    moodle.ags.restore()

    wait_for(
        lambda: all(graded_scores(moodle, person) for person in people),
        timeout=60,
        what="all 50 grades after the LMS came back",
    )
    time.sleep(2)  # would a retry still in flight send one again?
    for n, person in enumerate(people):
        assert [s["scoreGiven"] for s in graded_scores(moodle, person)] == [n]
    assert set(ScoreSend.objects.values_list("state", flat=True)) == {"sent"}
    shown = teacher.get(f"/api/submissions/{submissions[people[0]].pk}/grade").json()["sync"]
    assert shown["state"] == "sent"
