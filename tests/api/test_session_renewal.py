"""The launch token is renewed while the page is open (sliding), never past the session's
hard maximum from the launch; then the page is told to reopen the assignment."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from tests.fixtures.live_api import LiveApi


def _renew(api: LiveApi) -> Any:
    return api.post("/api/session/renew")


def test_a_renewed_token_outlives_the_first_one(student_api: LiveApi, settings: Any) -> None:
    settings.LTI_LAUNCH_TOKEN_TTL = 3
    time.sleep(1.5)
    renewed = _renew(student_api)
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["expires_in"] == 3
    old_token = student_api.session.headers["Authorization"]
    time.sleep(2)  # 3.5 s after the launch: the first token has expired, the renewed one not

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


def test_no_renewal_past_the_hard_maximum(student_api: LiveApi, settings: Any) -> None:
    settings.LTI_LAUNCH_SESSION_MAX = 2
    assert _renew(student_api).status_code == 200
    time.sleep(2.2)

    refused = _renew(student_api)

    assert refused.status_code == 401
    assert "reopen the assignment from your course" in refused.json()["message"].lower()
    assert student_api.get("/api/my-submission").status_code == 401
