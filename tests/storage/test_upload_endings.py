"""An upload that ends without becoming a video (cancelled, replaced, abandoned, failed):
its ticket is refused from that moment and its partial bytes are removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from django.utils import timezone

from lti_tool.models import Submission, Tenant, VideoEvent
from lti_tool.services.upload_endings import uploads_end_abandoned
from lti_tool.tasks import end_abandoned_uploads
from tests.fixtures.live_api import LiveApi, live_api, local_backend
from tests.fixtures.platform import LaunchDriver
from tests.storage.conftest import TusUpload, tus_create

CHUNK = 4096


def _partial_file(upload: TusUpload) -> Path:
    return local_backend().files.upload_dir(upload.ref) / "data"


def _assert_refused(upload: TusUpload, api: LiveApi, *, offset: int, size: int) -> None:
    """Sending, resuming and starting again with the old ticket all get a 4xx."""
    patch = upload.patch(b"x" * 10, offset)
    head = upload.head()
    create = tus_create(api, upload.ticket, size)
    assert (patch.status_code, head.status_code, create.status_code) == (410, 410, 410)
    assert "cancelled or replaced" in patch.text


def test_cancel_revokes_the_ticket_at_once_and_removes_the_partial_file(
    tus_upload: TusUpload, student_api: LiveApi, sample_video: Path
) -> None:
    video = sample_video.read_bytes()
    assert tus_upload.patch(video[:CHUNK], 0).status_code == 204
    assert _partial_file(tus_upload).stat().st_size == CHUNK

    cancelled = student_api.post(f"/api/submissions/{tus_upload.submission_id}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    _assert_refused(tus_upload, student_api, offset=CHUNK, size=len(video))
    assert not _partial_file(tus_upload).exists()
    assert not local_backend().files.upload_dir(tus_upload.ref).exists()
    submission = Submission.objects.get(pk=tus_upload.submission_id)
    assert submission.state == Submission.State.DELETED
    assert VideoEvent.objects.filter(
        submission=submission, kind="deletion", details__reason="cancelled"
    ).exists()
    # The page goes back to "nothing submitted yet"; cancelling twice is harmless.
    assert student_api.get("/api/my-submission").json() == {
        "current": None,
        "in_progress": None,
        "grade": None,
    }
    again = student_api.post(f"/api/submissions/{tus_upload.submission_id}/cancel")
    assert again.status_code == 200


def test_a_classmate_cannot_cancel_someone_elses_upload(
    tus_upload: TusUpload, live_server: Any, launcher: LaunchDriver
) -> None:
    classmate_api = live_api(live_server.url, launcher.launch(sub="student-2", name="Two"))

    response = classmate_api.post(f"/api/submissions/{tus_upload.submission_id}/cancel")

    assert response.status_code == 404
    assert Submission.objects.get(pk=tus_upload.submission_id).state == "pending_upload"
    assert tus_upload.patch(b"x" * 10, 0).status_code == 204


def test_a_newer_upload_revokes_the_unfinished_one_and_the_sweep_removes_its_bytes(
    tus_upload: TusUpload, student_api: LiveApi, sample_video: Path, tmp_path: Path
) -> None:
    video = sample_video.read_bytes()
    assert tus_upload.patch(video[:CHUNK], 0).status_code == 204
    other = tmp_path / "better-take.mp4"
    other.write_bytes(video)

    student_api.start_upload(other)  # the student chose another file

    _assert_refused(tus_upload, student_api, offset=CHUNK, size=len(video))
    replaced = Submission.objects.get(pk=tus_upload.submission_id)
    assert replaced.state == Submission.State.DELETED
    assert replaced.events.filter(details__reason="replaced").exists()
    # Its bytes wait for the five-minute sweep (a grace minute after the end), not a task.
    assert end_abandoned_uploads() == {"ended": 0, "purged": 0}
    assert _partial_file(tus_upload).exists()
    Submission.objects.filter(pk=replaced.pk).update(
        deleted_at=timezone.now() - timedelta(minutes=2)
    )

    assert end_abandoned_uploads() == {"ended": 0, "purged": 1}
    assert not _partial_file(tus_upload).exists()
    assert Submission.objects.get(pk=replaced.pk).purged_at is not None
    assert end_abandoned_uploads() == {"ended": 0, "purged": 0}  # once is enough


def test_the_sweep_ends_uploads_untouched_for_30_minutes_and_spares_active_ones(
    tus_upload: TusUpload, student_api: LiveApi, sample_video: Path
) -> None:
    video = sample_video.read_bytes()
    assert tus_upload.patch(video[:CHUNK], 0).status_code == 204
    now = timezone.now()

    assert uploads_end_abandoned(now=now + timedelta(minutes=29)) == 0
    assert tus_upload.patch(video[CHUNK : 2 * CHUNK], CHUNK).status_code == 204

    assert uploads_end_abandoned(now=now + timedelta(minutes=31)) == 1

    _assert_refused(tus_upload, student_api, offset=2 * CHUNK, size=len(video))
    assert not _partial_file(tus_upload).exists()
    ended = Submission.objects.get(pk=tus_upload.submission_id)
    assert ended.state == Submission.State.DELETED
    assert ended.events.filter(details__reason="abandoned").exists()


def test_bytes_arriving_keep_an_upload_alive_past_the_limit(
    tus_upload: TusUpload, sample_video: Path
) -> None:
    video = sample_video.read_bytes()
    Submission.objects.filter(pk=tus_upload.submission_id).update(
        updated_at=timezone.now() - timedelta(minutes=40)
    )

    assert tus_upload.patch(video[:CHUNK], 0).status_code == 204  # slow, but arriving

    assert uploads_end_abandoned() == 0
    assert Submission.objects.get(pk=tus_upload.submission_id).state == "pending_upload"


def test_a_tenant_may_allow_longer_than_30_minutes(tus_upload: TusUpload) -> None:
    Tenant.objects.update(limits={"abandoned_upload_minutes": 120})
    later = timezone.now() + timedelta(minutes=31)

    assert uploads_end_abandoned(now=later) == 0
    assert uploads_end_abandoned(now=later + timedelta(minutes=90)) == 1


def test_the_periodic_task_purges_the_bytes_of_a_failed_upload_and_keeps_its_reason(
    student_api: LiveApi, tmp_path: Path, settings: Any
) -> None:
    fake = tmp_path / "essay.mp4"
    fake.write_bytes(b"This is my essay, not a video.\n" * 200)
    failed = student_api.submit(fake)
    assert failed["state"] == "failed"
    stored = local_backend().video_path(Submission.objects.get(pk=failed["id"]).upload_ref)
    assert stored.exists()
    Submission.objects.filter(pk=failed["id"]).update(
        updated_at=timezone.now() - timedelta(minutes=2)
    )

    result = end_abandoned_uploads()

    assert result == {"ended": 0, "purged": 1}
    assert not stored.exists()
    after = student_api.submission(failed["id"])
    assert after["state"] == "failed"
    assert after["error_message"]
    assert end_abandoned_uploads() == {"ended": 0, "purged": 0}  # once is enough


def test_the_same_file_again_gets_its_unfinished_upload_back_and_resumes_from_the_offset(
    tus_upload: TusUpload, student_api: LiveApi, sample_video: Path
) -> None:
    """After a reload the page asks for a ticket again: same submission, same upload."""
    video = sample_video.read_bytes()
    assert tus_upload.patch(video[:CHUNK], 0).status_code == 204

    again = student_api.start_upload(sample_video)

    assert again["submission"]["id"] == tus_upload.submission_id
    assert again["ticket"]["upload_ref"] == tus_upload.ref
    resumed = TusUpload(
        base_url=tus_upload.base_url,
        url=tus_upload.url,
        ref=tus_upload.ref,
        ticket=again["ticket"],
        submission_id=tus_upload.submission_id,
    )
    assert resumed.offset() == CHUNK  # what the server holds: only the rest is sent
    assert resumed.patch(video[CHUNK:], CHUNK).status_code == 204
    assert student_api.confirm(tus_upload.submission_id).status_code == 200
    assert local_backend().video_path(tus_upload.ref).read_bytes() == video
    assert Submission.objects.count() == 1


def test_the_tus_termination_after_a_cancel_is_not_an_error(
    tus_upload: TusUpload, student_api: LiveApi
) -> None:
    """Uppy's Cancel sends tus DELETE while the page asks our API to cancel: either order."""
    assert student_api.post(f"/api/submissions/{tus_upload.submission_id}/cancel").ok

    deleted = requests.delete(tus_upload.url, headers=tus_upload.headers, timeout=5)

    assert deleted.status_code == 204
    assert not local_backend().files.upload_dir(tus_upload.ref).exists()


def test_the_pages_sign_of_life_keeps_a_direct_upload_from_the_sweep(
    tus_upload: TusUpload, student_api: LiveApi
) -> None:
    """S3 and Stream get the bytes without us: the page's "alive" call counts instead."""
    Submission.objects.filter(pk=tus_upload.submission_id).update(
        updated_at=timezone.now() - timedelta(minutes=40)
    )

    alive = student_api.post(f"/api/submissions/{tus_upload.submission_id}/alive")

    assert alive.json() == {"open": True}
    assert uploads_end_abandoned() == 0
    student_api.post(f"/api/submissions/{tus_upload.submission_id}/cancel")
    ended = student_api.post(f"/api/submissions/{tus_upload.submission_id}/alive")
    assert ended.json() == {"open": False}
