"""Deleting a video: the one path for teachers, students, administrators, retention and
erasure.

`submission_delete` works at once and in one transaction: the row is marked deleted (the
playback endpoint refuses it from then on), the LMS gradebook cell is reset through the
score outbox (activityProgress Initialized, gradingProgress NotReady, no score) when the
deleted video was the one the LMS knew about, and the event row records who and why.
On commit a worker purges the bytes from storage (`submission_purge`, retried with
backoff by the task); the purge is idempotent and recorded (`purged_at` + an event), and
a beat sweep re-enqueues purges whose task message was lost (`purges_due`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lti_tool import jobs
from lti_tool.errors import AppError, PermissionDenied, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, Submission, VideoEvent
from lti_tool.selectors.hot_paths import submission_to_purge
from lti_tool.selectors.submissions import submission_for_viewer
from lti_tool.services.events import event_insert_if_claimed, event_record
from lti_tool.services.score_sends import score_reset_record
from lti_tool.services.storage import backend_for_submission, video_delete
from lti_tool.services.writes import now_as_stored

logger = logging.getLogger(__name__)
State = Submission.State
Kind = VideoEvent.Kind
DeleterKind = Literal["teacher", "student", "admin", "retention", "erasure"]
MAX_REASON = 500


@dataclass(frozen=True)
class Deleter:
    """Who deletes: an LTI user (teacher, student), a site administrator (by username),
    or the tool itself (retention, erasure)."""

    kind: DeleterKind
    user_id: int | None = None
    name: str = ""


def submission_delete(
    *, submission_id: int, by: Deleter, reason: str, reset_score: bool = True
) -> Submission:
    """Soft delete now (with the earlier versions it replaced), reset the LMS score, log
    it; the bytes go on commit. Deleting a deleted submission changes nothing.
    `reset_score=False` keeps the grade (retention: the video expires, the grade stays)."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("assignment__course", "student")
            .get(pk=submission_id)
        )
        if submission.state == State.DELETED:
            return submission
        _soft_delete(submission, by=by, reason=reason, reset_score=reset_score)
        # The earlier versions this video replaced go with it, the same way.
        for earlier in _earlier_versions(submission):
            _soft_delete(earlier, by=by, reason=reason, reset_score=False)
    logger.info("submission %s deleted by %s", submission.pk, by.kind)
    return submission


def _soft_delete(submission: Submission, *, by: Deleter, reason: str, reset_score: bool) -> None:
    known_to_lms = submission.is_current and submission.uploaded_at is not None
    submission.state, submission.deleted_at = State.DELETED, timezone.now()
    submission.is_current = False
    submission.deletion_reason = reason[:MAX_REASON]
    submission.save()
    details: dict[str, object] = {"reason": submission.deletion_reason, "by": by.kind}
    if by.name:
        details["admin"] = by.name
    if reset_score and known_to_lms:
        details["grade_removed"] = _grade_remove(submission)
        details["score_reset"] = score_reset_record(submission=submission) is not None
    event_record(
        kind=VideoEvent.Kind.DELETION,
        submission=submission,
        user_id=by.user_id,
        details=details,
    )
    jobs.enqueue_on_commit(jobs.PURGE_VIDEO, submission.pk)


def _earlier_versions(submission: Submission) -> list[Submission]:
    """The ready videos of the same student and assignment that this one replaced."""
    return list(
        Submission.objects.select_for_update()
        .filter(
            assignment_id=submission.assignment_id,
            student_id=submission.student_id,
            is_current=False,
            state=State.READY,
            created_at__lt=submission.created_at,
        )
        .order_by("pk")
    )


def _grade_remove(submission: Submission) -> str | None:
    """The LMS cell is cleared, so the tool's grade goes too: both show "not graded".
    Returns the removed score, for the event log."""
    grade = Grade.objects.filter(
        assignment_id=submission.assignment_id, student_id=submission.student_id
    ).first()
    if grade is None:
        return None
    grade.delete()
    return str(grade.score)


def submission_delete_as_teacher(
    *, claims: LaunchClaims, submission_id: int, reason: str, confirmed: bool
) -> Submission:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can delete a student's video."))
    submission = submission_for_viewer(claims, submission_id)
    if submission.assignment_id != claims.assignment_id:
        raise SubmissionNotFound()
    reason = reason.strip()
    if not reason:
        raise AppError("reason_required", _("Please say why this video is deleted."))
    if not confirmed:
        raise AppError(
            "confirmation_required",
            _("Deleting a video cannot be undone: please confirm the deletion."),
        )
    return submission_delete(
        submission_id=submission.pk, by=Deleter("teacher", claims.user_id), reason=reason
    )


def submission_withdraw(*, claims: LaunchClaims, submission_id: int) -> Submission:
    """A student takes back their own video while the assignment still accepts videos."""
    submission = submission_for_viewer(claims, submission_id)
    if claims.role != "student" or submission.student_id != claims.user_id:
        raise PermissionDenied(_("Only the student who submitted a video can withdraw it."))
    due_at = submission.assignment.due_at
    if due_at is not None and timezone.now() >= due_at:
        raise AppError(
            "submissions_closed",
            _("The due date has passed: this video can no longer be withdrawn."),
            status=409,
        )
    if submission.state == State.DELETED:
        raise AppError("already_deleted", _("This video was already deleted."), status=409)
    return submission_delete(
        submission_id=submission.pk,
        by=Deleter("student", claims.user_id),
        reason=_("Withdrawn by the student"),
    )


PurgeOutcome = Literal["purged", "already", "skipped"]
# Submission.objects.filter(pk=..., purged_at__isnull=True).update(purged_at=now,
# updated_at=now), written out (tests/deletion/test_purge_claim.py compares the two).
_PURGE_CLAIM = (
    "UPDATE lti_tool_submission SET purged_at = %s, updated_at = %s"
    " WHERE id = %s AND purged_at IS NULL"
)


def submission_purge(*, submission_id: int) -> PurgeOutcome:
    """Remove the bytes of a deleted submission, or of a failed upload (its row keeps the
    reason), from its storage (S3 object and its CloudFront copy, Stream video, local
    file). Raises `ProviderError` when storage fails: the caller retries. No transaction is
    open during the provider call."""
    found = submission_to_purge(submission_id)
    if found is None:
        return "skipped"
    submission, tenant_id = found
    if submission.state not in (State.DELETED, State.FAILED):
        return "skipped"
    if submission.purged_at is not None:
        return "already"
    backend = backend_for_submission(submission)
    target = backend.deletable_id(
        video_id=submission.video_id,
        upload_ref=submission.upload_ref,
        upload_details=submission.upload_details,
    )
    details = {"backend": submission.backend, "object": target}
    # Idempotent at every backend. A CDN copy left is said once, in the purge's event.
    cdn_copy_left = video_delete(backend, target) if target else None
    if cdn_copy_left:
        details["cdn_copy_left"] = cdn_copy_left
    # The UPDATE is the claim: a concurrent retry that recorded the purge first leaves no
    # row to match, so the event is written once.
    now = now_as_stored()
    if not event_insert_if_claimed(
        claim=_PURGE_CLAIM,
        params=[now, now, submission_id],
        kind=Kind.PURGED,
        tenant_id=tenant_id,
        submission_id=submission_id,
        details=details,
    ):
        return "already"
    return "purged"


def purges_due(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Deleted submissions whose purge has not been recorded by now: their task message
    was lost, or the provider was down for longer than the task's retries."""
    cutoff = timezone.now() - older_than
    return list(
        Submission.objects.filter(
            state=State.DELETED, purged_at__isnull=True, deleted_at__lt=cutoff
        )
        .order_by("deleted_at")
        .values_list("pk", flat=True)[:limit]
    )
