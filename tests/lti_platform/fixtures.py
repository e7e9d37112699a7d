"""Pytest fixtures for the LMS stand-in (enable with
`pytest_plugins = ["tests.lti_platform.fixtures"]`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.lti_platform.lms import LmsPlatform, start_platform


@pytest.fixture
def moodle_lms() -> Iterator[LmsPlatform]:
    lms = start_platform("moodle")
    yield lms
    lms.stop()


@pytest.fixture
def canvas_lms() -> Iterator[LmsPlatform]:
    lms = start_platform("canvas")
    yield lms
    lms.stop()


@pytest.fixture
def lms_session() -> Iterator[requests.Session]:
    """A browser's session; `lms.launch(...)` sends its Secure cookies over loopback http."""
    with requests.Session() as session:
        yield session
