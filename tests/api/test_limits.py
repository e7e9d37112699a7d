"""Rate limits and closed resubmission, as the student's browser sees them."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from lti_tool.models import Submission, Tenant, VideoAssignment
from tests.fixtures.live_api import LiveApi

_TAKES = itertools.count(1)


def _ask_for_ticket(api: LiveApi, video: Path):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/uploads",
        {
            # A new name each time: the same file again resumes its unfinished upload.
            "filename": f"take-{next(_TAKES)}-{video.name}",
            "size": video.stat().st_size,
            "mime_type": "video/mp4",
        },
    )


def test_the_eleventh_ticket_in_an_hour_gets_429_with_retry_after(
    student_api: LiveApi, sample_video: Path
) -> None:
    for _ in range(10):
        assert _ask_for_ticket(student_api, sample_video).status_code == 201
    refused = _ask_for_ticket(student_api, sample_video)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["code"] == "rate_limited"
    assert "at most 10 per hour" in refused.json()["message"]
    assert Submission.objects.count() == 10  # the refused request wrote nothing


def test_a_tenant_can_raise_its_limit(student_api: LiveApi, sample_video: Path) -> None:
    Tenant.objects.update(limits={"upload_per_hour": 12})
    for _ in range(12):
        assert _ask_for_ticket(student_api, sample_video).status_code == 201
    assert _ask_for_ticket(student_api, sample_video).status_code == 429


def test_one_shot_assignment_refuses_a_second_video(
    student_api: LiveApi, sample_video: Path
) -> None:
    assert student_api.submit(sample_video)["state"] == "ready"
    VideoAssignment.objects.update(allow_resubmission=False)
    refused = _ask_for_ticket(student_api, sample_video)
    assert refused.status_code == 409
    assert refused.json()["code"] == "resubmission_closed"


def test_a_video_longer_than_the_assignment_allows_fails_with_a_reason(
    student_api: LiveApi, sample_video: Path, has_ffmpeg: bool
) -> None:
    if not has_ffmpeg:
        pytest.skip("needs ffmpeg to make a real video")
    VideoAssignment.objects.update(max_duration_seconds=1)  # the sample lasts 2 seconds

    submitted = student_api.submit(sample_video)

    assert submitted["state"] == "failed"
    assert "0:02 min long" in submitted["error_message"]
    assert "up to 0:01 min" in submitted["error_message"]
