"""The launch token is renewed while the page is open (sliding), never past the session's
hard maximum from the launch; then the page is told to reopen the assignment.

The tests move the server's wall clock forward instead of sleeping: the live server runs
in this process, and Django's signed timestamps have whole-second resolution, so windows
of a second or two under real sleeps fail on a loaded machine."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from tests.fixtures.live_api import LiveApi


@pytest.fixture
def advance_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """`advance_clock(s)`: `time.time()` answers s seconds later from now on (real time runs on)."""
    real_time = time.time
    offset = 0.0

    def shifted() -> float:
        return real_time() + offset

    def advance(seconds: float) -> None:
        nonlocal offset
        offset += seconds

    monkeypatch.setattr(time, "time", shifted)
    return advance


def _renew(api: LiveApi) -> Any:
    return api.post("/api/session/renew")


def test_a_renewed_token_outlives_the_first_one(
    student_api: LiveApi, settings: Any, advance_clock: Callable[[float], None]
) -> None:
    settings.LTI_LAUNCH_TOKEN_TTL = 10
    advance_clock(5)
    renewed = _renew(student_api)
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["expires_in"] == 10
    old_token = student_api.session.headers["Authorization"]
    advance_clock(7)  # 12 s after the launch: the first token has expired, the renewed one not

    assert student_api.get("/api/my-submission").status_code == 401
    student_api.session.headers["Authorization"] = f"Bearer {body['token']}"
    assert student_api.get("/api/my-submission").status_code == 200
    assert old_token != student_api.session.headers["Authorization"]


def test_renewal_keeps_the_launch_time_and_its_hard_maximum(
    student_api: LiveApi, settings: Any
) -> None:
    first = _renew(student_api).json()
    student_api.session.headers["Authorization"] = f"Bearer {first['token']}"
    second = _renew(student_api).json()

    assert first["session_ends_at"] == second["session_ends_at"]
    ends = datetime.fromisoformat(second["session_ends_at"]).timestamp()
    assert abs(ends - (time.time() + settings.LTI_LAUNCH_SESSION_MAX)) < 60


def test_no_renewal_past_the_hard_maximum(
    student_api: LiveApi, settings: Any, advance_clock: Callable[[float], None]
) -> None:
    settings.LTI_LAUNCH_SESSION_MAX = 20
    settings.LTI_LAUNCH_TOKEN_TTL = 60  # the token itself stays valid: the maximum refuses
    advance_clock(10)
    assert _renew(student_api).status_code == 200
    advance_clock(11)

    refused = _renew(student_api)

    assert refused.status_code == 401
    assert "reopen the assignment from your course" in refused.json()["message"].lower()
    assert student_api.get("/api/my-submission").status_code == 401
