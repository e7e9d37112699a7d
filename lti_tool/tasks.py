"""Celery tasks: they take ids, are idempotent, and retry provider hiccups with backoff."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import Task, shared_task
from django.utils import timezone

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.events import event_record
from lti_tool.services.grades import score_send_attempt, scores_due
from lti_tool.services.lineitems import line_item_ensure, line_item_sync
from lti_tool.services.storage import backend_for_submission
from lti_tool.services.submissions import submission_mark_failed, submission_mark_verified
from lti_tool.services.upload_endings import (
    failed_upload_mark_purged,
    failed_uploads_to_purge,
    uploads_end_abandoned,
)
from storage_backends.errors import ProviderError
from storage_backends.retry import backoff_seconds

logger = logging.getLogger(__name__)
MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def verify_submission(self: Task[[int], str], submission_id: int) -> str:
    """Ask storage what arrived; mark the submission ready, failed, or check again later."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None or submission.state not in (
        Submission.State.UPLOADED,
        Submission.State.PROCESSING,
    ):
        return "skipped"
    try:
        metadata = backend_for_submission(submission).get_metadata(submission.video_id)
    except ProviderError as exc:
        _record_provider_error(submission, "verify", exc)
        if exc.permanent or self.request.retries >= MAX_RETRIES:
            submission_mark_failed(submission_id=submission_id, reason=exc.message)
            return "failed"
        if self.request.is_eager:  # see below: the periodic sweep tries again
            logger.warning("verify waiting submission=%s: %s", submission_id, exc.message)
            return "waiting"
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    submission_mark_verified(submission_id=submission_id, metadata=metadata)
    if not metadata.ready and metadata.state != "error":
        if self.request.is_eager:
            # Eager (development): a retry would raise into the confirm request (a 500).
            # The provider's webhook, or the periodic sweep, runs this task again.
            return metadata.state
        raise self.retry(countdown=min(5 * 2**self.request.retries, 300))
    return metadata.state


def _record_provider_error(submission: Submission, operation: str, exc: ProviderError) -> None:
    """The event log shows what the provider refused or failed, and whether we retry."""
    event_record(
        kind=VideoEvent.Kind.PROVIDER_ERROR,
        submission=submission,
        user_id=None,
        details={
            "operation": operation,
            "code": exc.code,
            "error": exc.message,
            "will_retry": not exc.permanent,
        },
    )


@shared_task
def reverify_waiting_uploads(older_than_minutes: int = 2) -> int:
    """Uploads still waiting for verification get another check: a lost task, an outage
    that outlasted the retries, or a missed webhook must not leave them waiting forever."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    waiting = Submission.objects.filter(
        state__in=[Submission.State.UPLOADED, Submission.State.PROCESSING],
        updated_at__lt=cutoff,
    ).values_list("pk", flat=True)[:500]
    for submission_id in waiting:
        verify_submission.delay(submission_id)
    return len(waiting)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def purge_video(self: Task[[int], str], submission_id: int) -> str:
    """Remove a deleted or abandoned submission's bytes from storage (deleting is idempotent)."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None or submission.state != Submission.State.DELETED:
        return "skipped"
    try:
        backend = backend_for_submission(submission)
        backend.delete_video(
            backend.deletable_id(
                video_id=submission.video_id,
                upload_ref=submission.upload_ref,
                upload_details=submission.upload_details,
            )
        )
    except ProviderError as exc:
        _record_provider_error(submission, "purge", exc)
        if exc.permanent:
            logger.error("purge failed submission=%s: %s", submission_id, exc.message)
            return "failed"
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return "purged"


@shared_task
def end_abandoned_uploads() -> dict[str, int]:
    """Run by beat: end uploads no bytes reached for the tenant's time (their purge is
    enqueued), and remove the bytes of failed uploads (their rows stay, with the reason)."""
    ended = uploads_end_abandoned()
    purged = 0
    for submission_id in failed_uploads_to_purge():
        submission = Submission.objects.get(pk=submission_id)
        try:
            backend = backend_for_submission(submission)
            backend.delete_video(
                backend.deletable_id(
                    video_id=submission.video_id,
                    upload_ref=submission.upload_ref,
                    upload_details=submission.upload_details,
                )
            )
        except ProviderError as exc:  # the next run tries again
            _record_provider_error(submission, "purge_failed_upload", exc)
            continue
        failed_upload_mark_purged(submission_id=submission_id)
        purged += 1
    return {"ended": ended, "purged_failed": purged}


# Scores for the LMS gradebook (AGS). A row stays pending through transient failures and
# is retried with growing backoff until its retry window (24 h) ends; see services/grades.
SCORE_RETRY_BASE = 10.0
SCORE_RETRY_CAP = 1800.0
SCORE_STALE_AFTER = timedelta(minutes=5)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_score(self: Task[[int], str], score_send_id: int) -> str:
    """Send one outbox row; the row's lock and state make a repeat a no-op."""
    # At least the base, growing towards the cap (half an hour).
    delay = backoff_seconds(
        self.request.retries, base=SCORE_RETRY_BASE, cap=SCORE_RETRY_CAP, floor=SCORE_RETRY_BASE
    )
    outcome = score_send_attempt(score_send_id=score_send_id, retry_in=delay)
    if outcome == "retry" and not self.request.is_eager:
        # An eager run (development) does not loop here: the sweep below tries again.
        raise self.retry(countdown=delay)
    return outcome


@shared_task
def resend_due_scores() -> int:
    """Run by beat every minute: re-enqueue pending scores whose retry message was lost."""
    due = scores_due(stale_after=SCORE_STALE_AFTER)
    for score_send_id in due:
        send_score.delay(score_send_id)
    return len(due)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def ensure_line_item(self: Task[[int], str], assignment_id: int) -> str:
    """Find or create a launched link's gradebook column, off the launch's request path."""
    return _line_item_task(self, line_item_ensure, assignment_id)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def sync_line_item(self: Task[[int], str], assignment_id: int) -> str:
    """Give the gradebook column the assignment's new title, maximum and due date."""
    return _line_item_task(self, line_item_sync, assignment_id)


def _line_item_task(
    task: Task[[int], str], action: Callable[..., object], assignment_id: int
) -> str:
    try:
        action(assignment_id=assignment_id)
    except ProviderError as exc:
        if exc.permanent or task.request.is_eager or task.request.retries >= MAX_RETRIES:
            logger.warning("line item assignment=%s: %s", assignment_id, exc)
            return "failed"
        raise task.retry(countdown=backoff_seconds(task.request.retries, base=5.0)) from exc
    return "ok"
