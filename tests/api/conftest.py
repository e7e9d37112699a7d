from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from lti_tool.launch_tokens import launch_token_issue, launch_token_read
from tests.fixtures.live_api import LiveApi, live_api
from tests.fixtures.platform import LaunchDriver, launch_token_from, register
from tests.keys import unique_key
from tests.lti_platform.signer import INSTRUCTOR, TestPlatform, serve_platform


@pytest.fixture(autouse=True)
def _tasks_run_eagerly(eager_tasks: None) -> None:
    """Every test here checks what the API shows once the worker has run."""


@pytest.fixture
def classmate_api(live_server: Any, launcher: LaunchDriver) -> LiveApi:
    """Student Two, in the same course and assignment as Student One."""
    return live_api(live_server.url, launcher.launch(sub="student-2", name="Student Two"))


@pytest.fixture
def course_b_student_api(live_server: Any, launcher: LaunchDriver) -> LiveApi:
    return live_api(
        live_server.url,
        launcher.launch(
            sub="student-b",
            name="Bea Other-Course",
            context_id="course-2",
        ),
    )


@pytest.fixture
def course_b_teacher_api(live_server: Any, launcher: LaunchDriver) -> LiveApi:
    return live_api(
        live_server.url,
        launcher.launch(
            sub="teacher-b",
            roles=(INSTRUCTOR,),
            name="Teacher B",
            context_id="course-2",
        ),
    )


@pytest.fixture(scope="session")
def other_platform() -> Iterator[TestPlatform]:
    """A second LMS (another issuer and key), for a second tenant."""
    test_platform, server = serve_platform(key=unique_key())  # outlives any one test
    yield test_platform
    server.shutdown()


@pytest.fixture
def other_tenant_launcher(transactional_db: None, other_platform: TestPlatform) -> LaunchDriver:
    """The second LMS registered as "Other University", launched with its own browser."""
    register(other_platform, tenant="Other University")
    return LaunchDriver(Client(), other_platform)


def expired_token(launch_response: Any, ttl: int) -> str:
    """The same launch's token, as issued one second longer ago than its lifetime."""
    claims = launch_token_read(launch_token_from(launch_response))
    issued_at = time.time() - ttl - 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "time", SimpleNamespace(time=lambda: issued_at))
        return launch_token_issue(claims)
