"""Fixtures of the API tests: more people launched into the same or another course and
tenant. Every test here runs Celery tasks eagerly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.fixtures.live_api import LiveApi, live_api
from tests.fixtures.platform import LaunchDriver, register
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
