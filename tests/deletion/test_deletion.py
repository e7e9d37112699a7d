"""One deletion path (lti_tool/services/deletion.py) on each backend: the video stops
playing at once, the gradebook is told, the bytes leave storage and the purge is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lti_tool.errors import AppError
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, ScoreSend, Submission, VideoEvent
from lti_tool.services.deletion import (
    Deleter,
    submission_delete,
    submission_delete_as_teacher,
    submission_withdraw,
)
from lti_tool.services.submissions import submission_playback
from lti_tool.tasks import purge_video, resume_purges
from tests.deletion.conftest import Stored
from tests.factories import GradeFactory, LtiUserFactory
from tests.storage.conformance_support import no_retry_waits

pytestmark = pytest.mark.django_db
Kind = VideoEvent.Kind


def claims_for(submission: Submission, role: str, user_id: int | None = None) -> LaunchClaims:
    assignment = submission.assignment
    return LaunchClaims(
        tenant_id=assignment.course.tenant_id,
        user_id=user_id or submission.student_id,
        course_id=assignment.course_id,
        assignment_id=assignment.pk,
        role=role,  # type: ignore[arg-type]
    )


def kinds(submission: Submission) -> list[str]:
    return list(submission.events.order_by("pk").values_list("kind", flat=True))


def test_a_teachers_deletion_stops_playback_resets_the_score_and_purges_the_video(
    storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    submission = storage.submission(
        uploaded_at=timezone.now(), assignment__lineitem_url="https://lms.example.edu/li/1"
    )
    GradeFactory(submission=submission, score=70)
    teacher = LtiUserFactory(tenant=storage.tenant)
    assert storage.exists(submission.video_id)

    with django_capture_on_commit_callbacks(execute=True):
        submission_delete_as_teacher(
            claims=claims_for(submission, "teacher", teacher.pk),
            submission_id=submission.pk,
            reason="Wrong file",
            confirmed=True,
        )

    submission.refresh_from_db()
    assert submission.state == Submission.State.DELETED and not submission.is_current
    with pytest.raises(AppError) as refused:
        submission_playback(
            claims=claims_for(submission, "student"), submission_id=submission.pk, ip_address=None
        )
    assert refused.value.status == 409
    assert not storage.exists(submission.video_id)
    assert submission.purged_at is not None
    reset = ScoreSend.objects.get(kind=ScoreSend.Kind.RESET)
    assert reset.payload["activityProgress"] == "Initialized"
    assert reset.payload["gradingProgress"] == "NotReady"
    assert "scoreGiven" not in reset.payload
    assert not Grade.objects.filter(student=submission.student).exists()
    deletion = submission.events.get(kind=Kind.DELETION)
    assert deletion.user_id == teacher.pk
    assert deletion.details["reason"] == "Wrong file"
    assert deletion.details["grade_removed"] == "70.00"
    assert kinds(submission)[-2:] == [Kind.DELETION, Kind.PURGED]
    if storage.name == "s3":  # CloudFront must forget its cached copy too
        assert f"/{submission.video_id}" in storage.invalidated_paths()


def test_deleting_twice_and_purging_twice_change_nothing_more(
    local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    submission = local_storage.submission()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            submission_delete(
                submission_id=submission.pk, by=Deleter("admin", name="root"), reason="x"
            )
    assert purge_video.apply(args=[submission.pk]).get() == "already"
    assert kinds(submission).count(Kind.DELETION) == 1
    assert kinds(submission).count(Kind.PURGED) == 1


def test_stream_failing_twice_then_succeeding_purges_once_and_records_the_failures(
    cloudflare_storage: Stored, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each task run makes 3 attempts (the API client's retries); the first two runs
    meet an outage longer than that, the third succeeds."""
    no_retry_waits(monkeypatch)
    stream = cloudflare_storage.stream
    assert stream is not None
    submission = cloudflare_storage.submission()
    submission_delete(submission_id=submission.pk, by=Deleter("admin", name="root"), reason="x")

    outcomes = []
    for _ in range(3):
        if len(outcomes) < 2:
            stream.fail_next(3, status=503, retry_after=None)
        outcomes.append(purge_video.apply(args=[submission.pk]).get())

    assert outcomes == ["waiting", "waiting", "purged"]
    assert stream.video(submission.video_id) is None
    assert len(stream.requests_to("DELETE", submission.video_id)) == 7
    assert kinds(submission).count(Kind.PROVIDER_ERROR) == 2
    assert kinds(submission).count(Kind.PURGED) == 1


def test_the_sweep_resumes_purges_whose_task_was_lost(
    local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    submission = local_storage.submission()
    submission_delete(submission_id=submission.pk, by=Deleter("admin", name="root"), reason="x")
    # No on-commit callback ran: the purge's message was lost.
    Submission.objects.filter(pk=submission.pk).update(
        deleted_at=timezone.now() - timedelta(hours=2)
    )
    assert local_storage.exists(submission.video_id)

    assert resume_purges.apply().get() == 1

    assert not local_storage.exists(submission.video_id)
    assert resume_purges.apply().get() == 0


def test_a_cdn_refusing_to_invalidate_leaves_the_purge_done_and_says_why_once(
    s3_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    """A wrong distribution id (or no permission): the object is gone from S3, and only
    CloudFront's cached copy is left, which expires with the cache. The purge is recorded
    with the reason; the hourly sweep does not ask CloudFront again, to be refused again."""
    config = s3_storage.config
    config.options = {**config.options, "cloudfront_distribution_id": "EWRONGDISTRIBUTION"}
    config.save()
    submission = s3_storage.submission()

    with django_capture_on_commit_callbacks(execute=True):
        submission_delete(submission_id=submission.pk, by=Deleter("admin", name="root"), reason="x")

    assert not s3_storage.exists(submission.video_id)
    purged = submission.events.get(kind=Kind.PURGED)
    assert "NoSuchDistribution" in purged.details["cdn_copy_left"]
    Submission.objects.filter(pk=submission.pk).update(
        deleted_at=timezone.now() - timedelta(hours=2)
    )
    assert resume_purges.apply().get() == 0


def test_a_teacher_must_give_a_reason_and_confirm(local_storage: Stored) -> None:
    submission = local_storage.submission()
    teacher = claims_for(submission, "teacher", LtiUserFactory(tenant=local_storage.tenant).pk)
    for reason, confirmed, code in [
        (" ", True, "reason_required"),
        ("Wrong", False, "confirmation_required"),
    ]:
        with pytest.raises(AppError) as refused:
            submission_delete_as_teacher(
                claims=teacher, submission_id=submission.pk, reason=reason, confirmed=confirmed
            )
        assert refused.value.code == code
    with pytest.raises(AppError) as refused:  # a student cannot use the teacher's deletion
        submission_delete_as_teacher(
            claims=claims_for(submission, "student"),
            submission_id=submission.pk,
            reason="x",
            confirmed=True,
        )
    assert refused.value.status == 403
    submission.refresh_from_db()
    assert submission.state == Submission.State.READY and kinds(submission) == []


def test_a_student_withdraws_only_their_own_and_only_before_the_due_date(
    local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    late = local_storage.submission(assignment__due_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(AppError) as refused:
        submission_withdraw(claims=claims_for(late, "student"), submission_id=late.pk)
    assert refused.value.code == "submissions_closed"
    late.refresh_from_db()
    assert late.state == Submission.State.READY

    mine = local_storage.submission(assignment__due_at=timezone.now() + timedelta(days=1))
    other = LtiUserFactory(tenant=local_storage.tenant)
    with pytest.raises(AppError) as refused:
        submission_withdraw(claims=claims_for(mine, "student", other.pk), submission_id=mine.pk)
    assert refused.value.status == 404  # not theirs to see

    with django_capture_on_commit_callbacks(execute=True):
        submission_withdraw(claims=claims_for(mine, "student"), submission_id=mine.pk)
    mine.refresh_from_db()
    assert mine.state == Submission.State.DELETED
    assert not local_storage.exists(mine.video_id)
    assert mine.events.get(kind=Kind.DELETION).details["by"] == "student"
