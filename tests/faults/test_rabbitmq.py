"""RabbitMQ as the broker (CELERY_BROKER_URL=amqp://...): the grade outbox runs through it,
retries included, and each grade arrives once. The test uses a vhost of its own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lti_tool.models import ScoreSend
from tests.advantage.grades_support import graded_scores, wait_for
from tests.ci import IN_CI
from tests.faults.conftest import launched, ready_submissions, students
from tests.fixtures.workers import RedisServer, WorkerProcess, web_broker, worker_env
from tests.lti_platform.lms import LmsPlatform

pytestmark = pytest.mark.integration


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def rabbitmq_url() -> Iterator[str]:
    """A fresh vhost on the machine's RabbitMQ (127.0.0.1:5672, guest), removed afterwards."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        if IN_CI:
            raise
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is needed to make the test's vhost")
    vhost = f"lti_video_test_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def rabbit_worker(
    rabbitmq_url: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[WorkerProcess]:
    env = worker_env(
        redis_server.url,
        CELERY_BROKER_URL=rabbitmq_url,
        GRADE_RETRY_BASE_SECONDS="1",
        GRADE_RETRY_CAP_SECONDS="2",
    )
    process = WorkerProcess(env, tmp_path)
    with web_broker(rabbitmq_url):
        process.start()
        try:
            yield process
        finally:
            process.kill()


def test_the_grade_outbox_runs_through_rabbitmq(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, rabbit_worker: WorkerProcess
) -> None:
    people = students(moodle, 3)
    teacher = launched(moodle, lms_session, live_server, "teacher")
    submissions = ready_submissions(moodle, people)
    moodle.ags.outage(503)  # the first attempts fail: the retries go through RabbitMQ too

    for n, person in enumerate(people):
        saved = teacher.post(f"/api/submissions/{submissions[person].pk}/grade", {"score": 70 + n})
        assert saved.status_code == 200, saved.text
    wait_for(
        lambda: ScoreSend.objects.filter(attempts__gte=1).count() == len(people),
        timeout=30,
        what="a first attempt of each grade",
    )
    moodle.ags.restore()

    wait_for(lambda: all(graded_scores(moodle, p) for p in people), timeout=45, what="the grades")
    for n, person in enumerate(people):
        assert [s["scoreGiven"] for s in graded_scores(moodle, person)] == [70 + n]
    assert "Connected to amqp://guest:**@127.0.0.1:5672/lti_video_test_" in rabbit_worker.log()
