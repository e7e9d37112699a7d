"""What the fault tests share: a worker process on a Redis of their own, and the students."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lti_tool.models import LtiUser, Submission, VideoAssignment
from tests.advantage.grades_support import api_for
from tests.factories import LtiUserFactory, SubmissionFactory
from tests.fixtures.live_api import LiveApi
from tests.fixtures.workers import RedisServer, WorkerProcess, web_broker, worker_env
from tests.lti_platform.lms import LmsPlatform


@pytest.fixture
def worker(redis_server: RedisServer, tmp_path: Path) -> Iterator[WorkerProcess]:
    """A production-like worker (prefork, with beat) on the test's Redis; the live server
    enqueues there too."""
    process = WorkerProcess(worker_env(redis_server.url), tmp_path)
    with web_broker(redis_server.url):
        process.start()
        try:
            yield process
        finally:
            process.kill()


def students(lms: LmsPlatform, count: int) -> list[str]:
    """`count` students of the course (s1, s2 and more)."""
    keys = [f"s{n}" for n in range(1, count + 1)]
    for key in keys:
        if key not in lms.people:
            lms.add_person(key, f"Student {key[1:]}")
    return keys


def launched(lms: LmsPlatform, session: Any, live_server: Any, person: str) -> LiveApi:
    return api_for(live_server, lms.launch(session, person))


def ready_submissions(lms: LmsPlatform, people: list[str]) -> dict[str, Submission]:
    """A ready video of each of `people` for the launched assignment, as if they had
    launched and uploaded (the teacher has launched: the course and its users exist)."""
    assignment = VideoAssignment.objects.get()
    teacher = LtiUser.objects.get(sub=lms.people["teacher"].sub)
    return {
        person: SubmissionFactory(
            assignment=assignment,
            student=LtiUserFactory(
                tenant=teacher.tenant, issuer=teacher.issuer, sub=lms.people[person].sub
            ),
            state=Submission.State.READY,
            is_current=True,
        )
        for person in people
    }
