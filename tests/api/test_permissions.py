"""Who may see, confirm and play which submission, over real HTTP with real launch tokens.

Other people's submissions answer 404 exactly like ids that do not exist, so the API
does not even tell whether a submission is there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from lti_tool.models import Submission
from tests.api.support import expired_token
from tests.fixtures.live_api import LiveApi, live_api, tus_uploader
from tests.fixtures.platform import LaunchDriver
from tests.lti_platform.signer import INSTRUCTOR

NOT_FOUND = {
    "code": "not_found",
    "message": "This submission does not exist or is not yours to see.",
}


def assert_hidden(response: requests.Response, *secrets: str) -> None:
    """A 404 that says nothing about the submission it hides."""
    assert response.status_code == 404, response.text
    assert response.json() == NOT_FOUND
    for secret in secrets:
        assert secret not in response.text


def paths(submission_id: int) -> dict[str, str]:
    return {
        "detail": f"/api/submissions/{submission_id}",
        "playback": f"/api/submissions/{submission_id}/playback",
    }


def teacher_paths(submission_id: int) -> dict[str, str]:
    """`paths` and the teacher-only ones (a student gets 403 there, whoever's it is)."""
    return {**paths(submission_id), "versions": f"/api/submissions/{submission_id}/versions"}


@pytest.fixture
def ready_submission(student_api: LiveApi, sample_video: Path) -> dict[str, Any]:
    """Student One's ready video in course-1 / link-1."""
    submission = student_api.submit(sample_video)
    assert submission["state"] == "ready"
    return submission


def test_a_student_cannot_see_or_play_a_classmates_submission(
    ready_submission: dict[str, Any], classmate_api: LiveApi
) -> None:
    for path in paths(ready_submission["id"]).values():
        assert_hidden(classmate_api.get(path), "Student One", "talk.mp4")

    mine = classmate_api.get("/api/my-submission").json()
    assert mine == {"current": None, "in_progress": None, "grade": None}


def test_a_student_cannot_confirm_a_classmates_upload(
    student_api: LiveApi, classmate_api: LiveApi, sample_video: Path
) -> None:
    started = student_api.start_upload(sample_video)
    tus_uploader(student_api.base_url, started["ticket"], sample_video).upload()

    response = classmate_api.confirm(started["submission"]["id"])

    assert_hidden(response, "Student One", "talk.mp4")
    assert Submission.objects.get(pk=started["submission"]["id"]).state == "pending_upload"


def test_someone_elses_submission_looks_exactly_like_a_missing_one(
    ready_submission: dict[str, Any], classmate_api: LiveApi
) -> None:
    missing = classmate_api.get(f"/api/submissions/{ready_submission['id'] + 1000}")
    hidden = classmate_api.get(f"/api/submissions/{ready_submission['id']}")

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_a_student_cannot_list_submissions(
    ready_submission: dict[str, Any], student_api: LiveApi
) -> None:
    response = student_api.get("/api/submissions")

    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "Only teachers can list the submissions.",
    }


def test_a_teacher_sees_and_plays_their_courses_submission(
    ready_submission: dict[str, Any], teacher_api: LiveApi, sample_video: Path
) -> None:
    listed = teacher_api.get("/api/submissions")
    assert listed.status_code == 200
    assert [(row["id"], row["student"]["name"]) for row in listed.json()["items"]] == [
        (ready_submission["id"], "Student One")
    ]

    detail = teacher_api.get(f"/api/submissions/{ready_submission['id']}")
    assert detail.status_code == 200
    assert detail.json()["state"] == "ready"

    playback = teacher_api.get(f"/api/submissions/{ready_submission['id']}/playback")
    assert playback.status_code == 200
    assert playback.json()["kind"] == "mp4"
    video = requests.get(teacher_api.url(playback.json()["url"]), timeout=5)
    assert video.status_code == 200
    assert video.content == sample_video.read_bytes()


def test_a_student_plays_their_own_submission(
    ready_submission: dict[str, Any], student_api: LiveApi, sample_video: Path
) -> None:
    playback = student_api.get(f"/api/submissions/{ready_submission['id']}/playback")

    assert playback.status_code == 200
    video = requests.get(student_api.url(playback.json()["url"]), timeout=5)
    assert video.content == sample_video.read_bytes()


def test_a_teacher_cannot_see_another_courses_submission(
    course_b_student_api: LiveApi, teacher_api: LiveApi, sample_video: Path
) -> None:
    other = course_b_student_api.submit(sample_video)
    assert other["state"] == "ready"

    for path in teacher_paths(other["id"]).values():
        assert_hidden(teacher_api.get(path), "Bea Other-Course")
    assert teacher_api.get("/api/submissions").json()["items"] == []


def test_a_teacher_of_another_course_cannot_see_this_courses_submission(
    ready_submission: dict[str, Any], course_b_teacher_api: LiveApi
) -> None:
    for path in teacher_paths(ready_submission["id"]).values():
        assert_hidden(course_b_teacher_api.get(path), "Student One")
    assert course_b_teacher_api.get("/api/submissions").json()["items"] == []


def test_a_teacher_cannot_see_another_tenants_submission_with_the_same_ids(
    ready_submission: dict[str, Any],
    teacher_api: LiveApi,
    live_server: Any,
    other_tenant_launcher: LaunchDriver,
    sample_video: Path,
) -> None:
    # Same sub, context id and resource link id as tenant 1's: only the tenant differs.
    other_student = live_api(live_server.url, other_tenant_launcher.launch(name="Olga Other"))
    other_teacher = live_api(
        live_server.url,
        other_tenant_launcher.launch(sub="teacher-1", roles=(INSTRUCTOR,), name="Teacher One"),
    )
    theirs = other_student.submit(sample_video)
    assert theirs["state"] == "ready"

    for path in teacher_paths(theirs["id"]).values():
        assert_hidden(teacher_api.get(path), "Olga Other")
    for path in teacher_paths(ready_submission["id"]).values():
        assert_hidden(other_teacher.get(path), "Student One")
    assert [row["id"] for row in teacher_api.get("/api/submissions").json()["items"]] == [
        ready_submission["id"]
    ]
    theirs_listed = other_teacher.get("/api/submissions").json()["items"]
    assert [row["id"] for row in theirs_listed] == [theirs["id"]]
    assert_hidden(other_student.get(f"/api/submissions/{ready_submission['id']}"))


def test_a_teacher_cannot_start_an_upload(teacher_api: LiveApi) -> None:
    response = teacher_api.post(
        "/api/uploads",
        {
            "filename": "talk.mp4",
            "size": 1000,
            "mime_type": "video/mp4",
        },
    )

    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "Only students submit videos."}
    assert not Submission.objects.exists()


def test_a_teacher_cannot_confirm_a_students_upload(
    student_api: LiveApi, teacher_api: LiveApi, sample_video: Path
) -> None:
    started = student_api.start_upload(sample_video)
    tus_uploader(student_api.base_url, started["ticket"], sample_video).upload()

    response = teacher_api.confirm(started["submission"]["id"])

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Submission.objects.get(pk=started["submission"]["id"]).state == "pending_upload"


ENDPOINTS = [
    ("GET", "/api/my-submission"),
    ("GET", "/api/submissions"),
    ("GET", "/api/submissions/1"),
    ("GET", "/api/submissions/1/playback"),
    ("GET", "/api/submissions/1/versions"),
    ("POST", "/api/submissions/1/confirm"),
    ("POST", "/api/uploads"),
]


@pytest.mark.parametrize("credential", ["none", "garbage", "not bearer", "expired"])
def test_requests_without_a_valid_launch_token_are_401(
    credential: str, live_server: Any, launcher: LaunchDriver, settings: Any
) -> None:
    expired = expired_token(launcher.launch(), settings.LTI_LAUNCH_TOKEN_TTL)
    headers = {
        "none": {},
        "garbage": {"Authorization": "Bearer not-a-token"},
        "not bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "expired": {"Authorization": f"Bearer {expired}"},
    }[credential]

    for method, path in ENDPOINTS:
        response = requests.request(
            method,
            live_server.url + path,
            headers=headers,
            timeout=5,
            json={"filename": "a.mp4", "size": 1, "mime_type": "video/mp4"},
        )
        assert response.status_code == 401, (method, path, response.text)
        assert response.json() == {
            "code": "launch_expired",
            "message": "Your session has expired. Please reopen the assignment from your course.",
        }
    assert not Submission.objects.exists()
