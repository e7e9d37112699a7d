"""Fixtures of the launch tests: a course already in use, and the JWKS fetches the tool made."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

import lti_tool.lti.platform_keys
from lti_tool.models import LtiUser, Submission, VideoAssignment
from tests.factories import SubmissionFactory
from tests.fixtures.platform import LaunchDriver


@pytest.fixture
def earlier_launch(launcher: LaunchDriver) -> Submission:
    """A course that is already in use: one student launched before and submitted a video.

    With rows in every table, "nothing written" also catches an attack that would update them.
    """
    response = LaunchDriver(Client(), launcher.platform).launch()
    assert response.status_code == 200
    return SubmissionFactory(
        assignment=VideoAssignment.objects.get(), student=LtiUser.objects.get()
    )


@pytest.fixture
def jwks_fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the tool fetched platform keys from, in order (the fetches still happen)."""
    fetched: list[str] = []
    real_send = lti_tool.lti.platform_keys.lms_send

    def counting_send(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        fetched.append(url)
        return real_send(method, url, *args, **kwargs)

    monkeypatch.setattr(lti_tool.lti.platform_keys, "lms_send", counting_send)
    return fetched
