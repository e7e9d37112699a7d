"""A student's submission through the API over real HTTP: upload, confirm, ready, replace
(the replaced video stays as an earlier version)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.retention import retention_sweep
from lti_tool.tasks import end_abandoned_uploads
from storage_backends.local.backend import LocalBackend
from tests.fixtures.live_api import LiveApi, local_backend, stored_files, tus_uploader


def test_upload_confirm_and_the_submission_is_ready(
    student_api: LiveApi, sample_video: Path, has_ffmpeg: bool
) -> None:
    started = student_api.start_upload(sample_video)
    submission_id = started["submission"]["id"]
    assert started["submission"]["state"] == "pending_upload"
    assert started["ticket"]["protocol"] == "local-tus"
    assert set(started["ticket"]["headers"]) == {"X-Upload-Ticket"}
    # Until it is confirmed, an upload is not shown: another upload would supersede it.
    assert student_api.get("/api/my-submission").json() == {
        "current": None,
        "in_progress": None,
        "grade": None,
    }

    tus_uploader(student_api.base_url, started["ticket"], sample_video).upload()
    confirmed = student_api.confirm(submission_id)

    assert confirmed.status_code == 200
    assert confirmed.json()["state"] in ("uploaded", "processing", "ready")
    mine = student_api.get("/api/my-submission").json()
    assert mine["in_progress"] is None
    assert mine["current"]["id"] == submission_id
    assert mine["current"]["state"] == "ready"
    assert mine["current"]["filename"] == "talk.mp4"
    assert mine["current"]["size_bytes"] == sample_video.stat().st_size
    if has_ffmpeg:
        assert mine["current"]["duration_seconds"] == pytest.approx(2.0, abs=0.1)
    kinds = list(
        VideoEvent.objects.filter(submission_id=submission_id)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["upload_requested", "upload_succeeded", "ready"]


def test_confirming_twice_changes_nothing(student_api: LiveApi, sample_video: Path) -> None:
    first = student_api.submit(sample_video)

    again = student_api.confirm(first["id"])

    assert again.status_code == 200
    assert again.json()["state"] == "ready"
    succeeded = VideoEvent.objects.filter(submission_id=first["id"], kind="upload_succeeded")
    assert succeeded.count() == 1


def _submit_twice(
    student_api: LiveApi, sample_video: Path, tmp_path: Path
) -> tuple[dict[str, Any], int, Path]:
    """A first video, then a second take; returns (first, second's id, first's folder)."""
    first = student_api.submit(sample_video)
    first_folder = local_backend().files.video_dir(Submission.objects.get(pk=first["id"]).video_id)
    assert (first_folder / "data").is_file()
    second_video = tmp_path / "second take.mp4"
    second_video.write_bytes(sample_video.read_bytes())
    second = student_api.submit(second_video)
    return first, second["id"], first_folder


def test_submitting_again_keeps_the_first_video_as_an_earlier_version(
    student_api: LiveApi,
    teacher_api: LiveApi,
    sample_video: Path,
    tmp_path: Path,
) -> None:
    first = student_api.submit(sample_video)
    first_folder = local_backend().files.video_dir(Submission.objects.get(pk=first["id"]).video_id)
    second_video = tmp_path / "second take.mp4"
    second_video.write_bytes(sample_video.read_bytes())

    # While the new one uploads, the teacher still sees the first.
    started = student_api.start_upload(second_video)
    tus_uploader(student_api.base_url, started["ticket"], second_video).upload()
    assert student_api.get("/api/my-submission").json()["current"]["id"] == first["id"]
    listed = teacher_api.get("/api/submissions").json()["items"]
    assert [row["id"] for row in listed] == [first["id"]]

    assert student_api.confirm(started["submission"]["id"]).status_code == 200
    second_id = started["submission"]["id"]

    # The student sees only the new one; the grading list shows one row per student.
    mine = student_api.get("/api/my-submission").json()
    assert mine["current"]["id"] == second_id
    assert mine["current"]["filename"] == "second take.mp4"
    assert mine["current"]["state"] == "ready"
    assert mine["in_progress"] is None
    listed = teacher_api.get("/api/submissions").json()["items"]
    assert [(row["id"], row["student"]["name"]) for row in listed] == [(second_id, "Student One")]
    # The first is kept, ready, as an earlier version: its bytes are still stored.
    old = Submission.objects.get(pk=first["id"])
    assert (old.state, old.is_current, old.purged_at) == ("ready", False, None)
    assert (first_folder / "data").is_file()
    assert len(list(stored_files(local_backend().files.root))) == 2
    assert old.events.filter(kind="replaced", details__by=second_id).exists()
    versions = teacher_api.get(f"/api/submissions/{second_id}/versions")
    assert versions.status_code == 200, versions.text
    assert [(v["id"], v["filename"], v["state"], v["is_current"]) for v in versions.json()] == [
        (second_id, "second take.mp4", "ready", True),
        (first["id"], "talk.mp4", "ready", False),
    ]
    # The teacher plays it; the student may still play their own video but not list versions.
    assert teacher_api.get(f"/api/submissions/{first['id']}/playback").status_code == 200
    assert student_api.get(f"/api/submissions/{first['id']}/playback").status_code == 200
    assert student_api.get(f"/api/submissions/{second_id}/playback").status_code == 200
    assert student_api.get(f"/api/submissions/{second_id}/versions").status_code == 403


def test_deleting_the_submission_deletes_its_earlier_versions(
    student_api: LiveApi, teacher_api: LiveApi, sample_video: Path, tmp_path: Path
) -> None:
    first, second_id, first_folder = _submit_twice(student_api, sample_video, tmp_path)

    deleted = teacher_api.post(
        f"/api/submissions/{second_id}/delete", {"reason": "Wrong video", "confirm": True}
    )

    assert deleted.status_code == 200, deleted.text
    for pk in (first["id"], second_id):
        row = Submission.objects.get(pk=pk)
        assert (row.state, row.is_current) == ("deleted", False)
        assert row.purged_at is not None
        assert teacher_api.get(f"/api/submissions/{pk}/playback").status_code == 409
    assert not first_folder.exists()
    assert list(stored_files(local_backend().files.root)) == []


def test_retention_expires_the_earlier_versions_too(
    student_api: LiveApi, sample_video: Path, tmp_path: Path
) -> None:
    first, second_id, first_folder = _submit_twice(student_api, sample_video, tmp_path)
    tenant = Submission.objects.get(pk=second_id).assignment.course.tenant
    tenant.retention_days = 30
    tenant.save()

    result = retention_sweep(now=timezone.now() + timedelta(days=31))

    assert result.deleted == 2
    states = Submission.objects.filter(pk__in=[first["id"], second_id]).values_list(
        "state", flat=True
    )
    assert list(states) == ["deleted", "deleted"]
    assert not first_folder.exists()
    assert list(stored_files(local_backend().files.root)) == []


def test_starting_over_abandons_an_upload_that_never_finished(
    student_api: LiveApi, sample_video: Path, tmp_path: Path
) -> None:
    abandoned = student_api.start_upload(sample_video)
    uploader = tus_uploader(
        student_api.base_url, abandoned["ticket"], sample_video, chunk_size=4096
    )
    uploader.upload(stop_at=4096)
    # Another file (the same one again resumes the unfinished upload instead).
    other = tmp_path / "second-take.mp4"
    other.write_bytes(sample_video.read_bytes())

    fresh = student_api.submit(other)

    assert fresh["state"] == "ready"
    replaced = Submission.objects.filter(pk=abandoned["submission"]["id"])
    assert replaced.get().state == "deleted"
    # Its partial bytes go with the upload sweep's next run, a grace minute later.
    replaced.update(deleted_at=timezone.now() - timedelta(minutes=2))
    assert end_abandoned_uploads()["purged"] == 1
    assert not local_backend().files.upload_dir(abandoned["ticket"]["upload_ref"]).exists()
    assert len(list(stored_files(local_backend().files.root))) == 1


def test_two_confirms_at_once_record_one_upload(
    student_api: LiveApi, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click: the second confirm arrives while the first is checking storage."""
    started = student_api.start_upload(sample_video)
    submission_id = started["submission"]["id"]
    tus_uploader(student_api.base_url, started["ticket"], sample_video).upload()
    check_storage = LocalBackend.confirm_upload
    calls: list[str] = []
    racing: list[requests.Response] = []

    def confirm_while_another_confirms(self: LocalBackend, ref: str, metadata: Any) -> str:
        video_id = check_storage(self, ref, metadata)
        calls.append(ref)
        if len(calls) == 1:  # only the first confirm is overtaken by a second
            racing.append(student_api.confirm(submission_id))
        return video_id

    monkeypatch.setattr(LocalBackend, "confirm_upload", confirm_while_another_confirms)

    first = student_api.confirm(submission_id)

    assert (first.status_code, racing[0].status_code) == (200, 200)
    events = VideoEvent.objects.filter(submission_id=submission_id)
    assert sorted(events.values_list("kind", flat=True)) == [
        "ready",
        "upload_requested",
        "upload_succeeded",
    ]
    assert student_api.submission(submission_id)["state"] == "ready"


GOOD = {"filename": "talk.mp4", "size": 12_000, "mime_type": "video/mp4"}


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (
            {**GOOD, "filename": "essay.pdf", "mime_type": "application/pdf"},
            "unsupported_type",
            "not a video file we accept",
        ),
        ({**GOOD, "filename": "talk.mov"}, "extension_mismatch", "does not match its type"),
        ({**GOOD, "size": 5 * 1024**3 + 1}, "file_too_large", "the limit is 5.4 GB"),
        ({**GOOD, "size": 10**20}, "file_too_large", "the limit is"),
        ({**GOOD, "size": 0}, "empty_file", "is empty"),
        ({**GOOD, "filename": "../"}, "invalid_filename", "needs a name"),
        ({**GOOD, "filename": "a." + "x" * 300}, "extension_mismatch", "does not match"),
        ({"filename": "talk.mp4", "mime_type": "video/mp4"}, "bad_request", "size"),
        ({**GOOD, "size": "big"}, "bad_request", "size"),
        ({}, "bad_request", "filename"),
    ],
)
def test_bad_upload_requests_are_400_and_write_nothing(
    student_api: LiveApi, body: dict[str, Any], code: str, words: str
) -> None:
    response = student_api.post("/api/uploads", body)

    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert words in response.json()["message"]
    assert response.json()["message"].endswith(".")
    assert not Submission.objects.exists()
    assert not VideoEvent.objects.exists()


def test_a_bad_request_leaves_the_unfinished_upload_alone(
    student_api: LiveApi, sample_video: Path
) -> None:
    started = student_api.start_upload(sample_video)

    assert student_api.post("/api/uploads", {**GOOD, "size": 0}).status_code == 400

    assert Submission.objects.get().state == "pending_upload"
    tus_uploader(student_api.base_url, started["ticket"], sample_video).upload()
    assert student_api.confirm(started["submission"]["id"]).json()["state"] != "deleted"


def test_type_parameters_are_dropped_before_anything_is_stored(
    student_api: LiveApi, sample_video: Path
) -> None:
    """What follows the type is not stored or echoed: not a long codec list, not a header."""
    started = student_api.post(
        "/api/uploads",
        {
            "filename": "talk.mp4",
            "size": sample_video.stat().st_size,
            "mime_type": "Video/MP4; codecs=" + "avc1," * 50 + "\r\nX-Injected: yes",
        },
    )
    assert started.status_code == 201, started.text
    tus_uploader(student_api.base_url, started.json()["ticket"], sample_video).upload()
    submission_id = started.json()["submission"]["id"]
    assert student_api.confirm(submission_id).status_code == 200

    playback = student_api.get(f"/api/submissions/{submission_id}/playback").json()
    video = requests.get(student_api.url(playback["url"]), timeout=5)

    assert Submission.objects.get().mime_type == "video/mp4"
    assert video.status_code == 200
    assert video.headers["Content-Type"] == "video/mp4"
    assert "X-Injected" not in video.headers


def test_an_assignments_own_limit_applies(student_api: LiveApi, sample_video: Path) -> None:
    submission = student_api.start_upload(sample_video)["submission"]
    Submission.objects.get(pk=submission["id"]).assignment.__class__.objects.update(
        max_size_bytes=10_000
    )

    response = student_api.post("/api/uploads", GOOD)

    assert response.status_code == 400
    assert response.json() == {
        "code": "file_too_large",
        "message": "“talk.mp4” is 12.0 KB; the limit is 10.0 KB.",
    }


def test_the_openapi_schema_is_served_and_lists_the_endpoints(live_server: Any) -> None:
    response = requests.get(live_server.url + "/api/openapi.json", timeout=5)

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Video assignments API"
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert {
        ("GET", "/api/my-submission"),
        ("POST", "/api/uploads"),
        ("GET", "/api/submissions"),
        ("GET", "/api/submissions/{submission_id}"),
        ("POST", "/api/submissions/{submission_id}/confirm"),
        ("GET", "/api/submissions/{submission_id}/playback"),
    } <= operations
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


def test_the_students_own_grade_is_in_my_submission_once_given(
    student_api: LiveApi, teacher_api: LiveApi, sample_video: Path
) -> None:
    submitted = student_api.submit(sample_video)
    assert student_api.get("/api/my-submission").json()["grade"] is None

    saved = teacher_api.post(
        f"/api/submissions/{submitted['id']}/grade",
        {"score": "8.5", "comment": "Clear, well paced."},
    )
    assert saved.status_code == 200, saved.text

    grade = student_api.get("/api/my-submission").json()["grade"]
    assert grade["score"] == 8.5
    assert grade["comment"] == "Clear, well paced."
    assert grade["max_points"] == 100
    assert teacher_api.get("/api/my-submission").json()["grade"] is None  # only one's own
