"""Redis (cache, rate limits, nonces and the Celery broker) stopped and started again while
people launch, upload and grade: they get a 503 with a sentence at once, never a 500 or a
hang; what was saved stays saved, and everything recovers without anyone doing anything.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from lti_tool.models import ScoreSend, Submission
from tests.advantage.grades_support import graded_scores, submit_video, wait_for
from tests.faults.conftest import launched, students
from tests.fixtures.live_api import tus_uploader
from tests.fixtures.workers import RedisServer, WorkerProcess
from tests.lti_platform.lms import LmsPlatform

pytestmark = pytest.mark.integration
OUTAGE = "The service is briefly unavailable"
QUICK = 5.0  # seconds: an answer, not a hang (Redis timeouts are 2 s)


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.fixture
def redis_cache(settings: Any, redis_server: RedisServer) -> None:
    """The tool's cache (nonces, rate limits, tokens) on the test's own Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


def test_redis_down_answers_503_with_a_sentence_and_everything_recovers(
    moodle: LmsPlatform,
    lms_session: Any,
    live_server: Any,
    sample_video: Path,
    redis_server: RedisServer,
    redis_cache: None,
    worker: WorkerProcess,
) -> None:
    s1, s2, s3 = students(moodle, 3)
    student = launched(moodle, lms_session, live_server, s1)
    first = submit_video(student, sample_video)
    confirming = launched(moodle, lms_session, live_server, s3)
    started = confirming.start_upload(sample_video)  # its bytes arrive before the outage
    tus_uploader(confirming.base_url, started["ticket"], sample_video).upload()
    teacher = launched(moodle, lms_session, live_server, "teacher")
    wait_for(lambda: Submission.objects.get(pk=first["id"]).state == "ready", what="ready")

    redis_server.stop()

    # A launch: the tool's own error page, 503, with a sentence.
    page, took = timed(moodle.launch, requests.Session(), s2)
    assert page.status_code == 503 and took < QUICK, (page.status_code, took)
    assert OUTAGE in page.text and "<html" in page.text.lower()
    # A new upload (rate limits live in Redis): the API's JSON error.
    refused, took = timed(
        student.post,
        "/api/uploads",
        {"filename": "b.mp4", "size": 1000, "mime_type": "video/mp4"},
    )
    assert refused.status_code == 503 and took < QUICK, (refused.text, took)
    assert refused.json()["code"] == "service_unavailable"
    assert refused.json()["message"].startswith(OUTAGE)
    # Saved in the database, so not refused: the grade waits, the confirmed upload waits.
    graded, took = timed(teacher.post, f"/api/submissions/{first['id']}/grade", {"score": 64})
    assert graded.status_code == 200 and took < QUICK, (graded.text, took)
    assert graded.json()["sync"]["state"] == "pending"
    confirmed, took = timed(confirming.confirm, started["submission"]["id"])
    assert confirmed.status_code == 200 and took < QUICK, (confirmed.text, took)
    assert confirmed.json()["state"] == "uploaded"
    again = confirming.confirm(started["submission"]["id"])  # the student's retry: still fine
    assert again.status_code == 200

    redis_server.start()

    back = launched(moodle, lms_session, live_server, s2)
    assert back.session.headers["Authorization"].startswith("Bearer ")
    second = submit_video(back, sample_video)
    wait_for(
        lambda: (
            set(
                Submission.objects.filter(
                    pk__in=[second["id"], started["submission"]["id"]]
                ).values_list("state", flat=True)
            )
            == {"ready"}
        ),
        timeout=45,
        what="the uploads confirmed during and after the outage, verified",
    )
    wait_for(lambda: graded_scores(moodle, s1), timeout=45, what="the grade saved meanwhile")
    wait_for(
        lambda: not ScoreSend.objects.exclude(state__in=["sent", "superseded"]).exists(),
        timeout=45,
        what="every score sent",
    )
    assert [s["scoreGiven"] for s in graded_scores(moodle, s1)] == [64]
