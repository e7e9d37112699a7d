from __future__ import annotations

import os
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client

from lti_tool.launch_tokens import launch_token_issue, launch_token_read
from tests.conftest import LaunchDriver, launch_token_from
from tests.live_api import (  # noqa: F401 - fixtures shared with tests/storage
    LiveApi,
    eager_tasks,
    has_ffmpeg,
    live_api,
    platform,
    sample_video,
    session_platform,
    student_api,
    teacher_api,
)
from tests.platform import INSTRUCTOR, TestPlatform, serve_platform


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
    test_platform, server = serve_platform()
    yield test_platform
    server.shutdown()


@pytest.fixture
def other_tenant_launcher(transactional_db: None, other_platform: TestPlatform) -> LaunchDriver:
    """The second LMS registered as "Other University", launched with its own browser."""
    call_command(
        "register_platform",
        "--tenant",
        "Other University",
        "--issuer",
        other_platform.issuer,
        "--client-id",
        other_platform.client_id,
        "--auth-login-url",
        other_platform.auth_login_url,
        "--auth-token-url",
        other_platform.token_url,
        "--keyset-url",
        other_platform.keyset_url,
        "--deployment-id",
        other_platform.deployment_id,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    return LaunchDriver(Client(), other_platform)


def expired_token(launch_response: Any, ttl: int) -> str:
    """The same launch's token, as issued one second longer ago than its lifetime."""
    claims = launch_token_read(launch_token_from(launch_response))
    issued_at = time.time() - ttl - 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "time", SimpleNamespace(time=lambda: issued_at))
        return launch_token_issue(claims)
