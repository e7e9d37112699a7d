"""Celery tasks: they take ids, are idempotent, and retry provider hiccups with backoff."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError

from lti_tool.models import ScoreSend, Submission, VideoEvent
from lti_tool.selectors.hot_paths import submission_to_verify
from lti_tool.services.deletion import purges_due, submission_purge
from lti_tool.services.event_rollup import event_rollup_update
from lti_tool.services.events import event_record
from lti_tool.services.lineitems import line_item_ensure, line_item_sync
from lti_tool.services.reconcile import storage_reconcile, storages_to_reconcile
from lti_tool.services.retention import retention_sweep
from lti_tool.services.score_sends import score_send_attempt, scores_due, scores_release_claims
from lti_tool.services.storage import backend_for_submission
from lti_tool.services.submissions import (
    WAITING,
    submission_check_interrupted,
    submission_mark_failed,
    submission_mark_verified,
    submission_verify_later,
    submissions_verification_due,
)
from lti_tool.services.upload_endings import (
    unfinished_uploads_to_purge,
    uploads_end_abandoned,
)
from storage_backends.errors import ProviderError
from storage_backends.retry import backoff_seconds

logger = logging.getLogger(__name__)
MAX_RETRIES = 8
# The longest a retry may wait in the broker: with Redis, a message held longer than the
# visibility timeout (CELERY_VISIBILITY_TIMEOUT, 120 s) is delivered again. Longer waits
# are kept in the database (verification, grade sends).
BROKER_WAIT_CAP = 60.0
# Workers that may die checking one upload before it fails (a deploy's restart is one).
MAX_INTERRUPTED_CHECKS = 3


@shared_task(bind=True, acks_late=True)
def verify_submission(self: Task[[int], str], submission_id: int) -> str:
    """Ask storage what arrived; mark the submission ready or failed, or check again later.

    Later is in the database (`verify_next_at`, capped backoff), and the beat sweep below
    enqueues it: no retry waits in the broker, where a crash or an outage could lose it.
    A provider outage never fails the upload: the student reads "Waiting for storage"."""
    submission = submission_to_verify(submission_id)
    if submission is None or submission.state not in WAITING:
        return "skipped"
    if _killed_its_workers(self, submission_id):
        return "failed"
    try:
        metadata = backend_for_submission(submission).get_metadata(submission.video_id)
    except ProviderError as exc:
        _record_provider_error(submission, "verify", exc)
        if exc.permanent:
            submission_mark_failed(submission_id=submission_id, reason=exc.message)
            return "failed"
        logger.warning("verify waiting submission=%s: %s", submission_id, exc.message)
        submission_verify_later(submission_id=submission_id, storage_down=True)
        return "waiting"
    submission_mark_verified(submission_id=submission_id, metadata=metadata, seen=submission)
    return metadata.state


def _killed_its_workers(task: Task[[int], str], submission_id: int) -> bool:
    """The local backend probes a video in the worker's own process (FFmpeg's libraries
    parse the student's bytes): a file that crashes them would kill a worker child, come
    back (acks_late, reject on worker lost), and kill the next. A check whose message came
    back is counted; at MAX_INTERRUPTED_CHECKS the upload fails instead."""
    if not (task.request.delivery_info or {}).get("redelivered"):
        return False
    return submission_check_interrupted(
        submission_id=submission_id, max_checks=MAX_INTERRUPTED_CHECKS
    )


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
def reverify_waiting_uploads() -> int:
    """Run by beat: checks that are due (a provider outage, a video still processing), and
    checks whose message was lost (a broker outage at confirm time, a crashed worker)."""
    due = submissions_verification_due()
    for submission_id in due:
        verify_submission.delay(submission_id)
    return len(due)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def purge_video(self: Task[[int], str], submission_id: int) -> str:
    """Remove a deleted submission's bytes from storage (idempotent; recorded once)."""
    try:
        return submission_purge(submission_id=submission_id)
    except ProviderError as exc:
        submission = Submission.objects.filter(pk=submission_id).first()
        if submission is not None:
            _record_provider_error(submission, "purge", exc)
        if exc.permanent or self.request.retries >= MAX_RETRIES:
            # The beat sweep (`resume_purges`) tries again later; the row says "not purged".
            logger.error("purge failed submission=%s: %s", submission_id, exc.message)
            return "failed"
        if self.request.is_eager:  # development: no retry loop inside the request
            return "waiting"
        wait = backoff_seconds(self.request.retries, cap=BROKER_WAIT_CAP)
        raise self.retry(exc=exc, countdown=wait) from exc


PURGE_STALE_AFTER = timedelta(hours=1)


@shared_task
def resume_purges() -> int:
    """Run by beat: deleted videos whose purge is not recorded an hour later are purged
    again (a lost task message, or an outage longer than the task's retries)."""
    due = purges_due(older_than=PURGE_STALE_AFTER)
    for submission_id in due:
        purge_video.delay(submission_id)
    return len(due)


@shared_task
def end_abandoned_uploads() -> dict[str, int]:
    """Run by beat: end uploads no bytes reached for the tenant's time (their purge is
    enqueued), and remove the bytes of uploads that failed (their rows stay, with the
    reason) or were replaced by a newer one."""
    ended = uploads_end_abandoned()
    purged = 0
    for submission_id in unfinished_uploads_to_purge():
        try:
            if submission_purge(submission_id=submission_id) == "purged":
                purged += 1
        except ProviderError as exc:  # the next run tries again
            submission = Submission.objects.get(pk=submission_id)
            _record_provider_error(submission, "purge_unfinished_upload", exc)
    return {"ended": ended, "purged": purged}


# Scores for the LMS gradebook (AGS). A row stays pending through transient failures and
# is retried with growing backoff until its retry window (24 h) ends; see services/score_sends.
SCORE_RETRY_BASE = float(settings.GRADE_RETRY_BASE_SECONDS)
SCORE_RETRY_CAP = float(settings.GRADE_RETRY_CAP_SECONDS)
# An attempt is three LMS calls with 10 s timeouts: ended well inside the claim's timeout.
SEND_TIME_LIMIT = 60
# This run of the worker: a claim names it, so a restarted worker knows its dead claims.
# Made at import, before the prefork pool forks, so every child shares it.
_WORKER_RUN = uuid.uuid4().hex[:12]


@shared_task(bind=True, acks_late=True, time_limit=SEND_TIME_LIMIT)
def send_score(self: Task[[int], str], score_send_id: int) -> str:
    """Send one outbox row; its claim and state make a repeat a no-op. A failure worth
    retrying leaves the row due later; the sweep below enqueues it then."""
    return score_send_attempt(
        score_send_id=score_send_id,
        # At least the base, growing towards the cap (half an hour).
        retry_in=backoff_seconds(
            _attempts(score_send_id),
            base=SCORE_RETRY_BASE,
            cap=SCORE_RETRY_CAP,
            floor=SCORE_RETRY_BASE,
        ),
        worker=_claimant(self.request.hostname),
    )


def _attempts(score_send_id: int) -> int:
    attempts = ScoreSend.objects.filter(pk=score_send_id).values_list("attempts", flat=True)
    return attempts.first() or 0


def _claimant(hostname: str | None) -> str:
    return f"{hostname}/{_WORKER_RUN}" if hostname else ""


@shared_task
def resend_due_scores() -> int:
    """Run by beat: enqueue pending scores whose backoff is over or whose message was lost."""
    due = scores_due()
    for score_send_id in due:
        send_score.delay(score_send_id)
    return len(due)


@worker_ready.connect
def _release_dead_claims(sender: Any = None, **_: Any) -> None:
    """A worker killed while sending: when it starts again its old claims go back to the
    queue at once, not after the claim timeout."""
    hostname = getattr(sender, "hostname", None)
    if not hostname:
        return
    try:
        released = scores_release_claims(worker=f"{hostname}/", keep=_claimant(hostname))
    except DatabaseError:
        logger.exception("could not release the score claims of %s", hostname)
        return
    for score_send_id in released:
        send_score.delay(score_send_id)


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
        wait = backoff_seconds(task.request.retries, base=5.0, cap=BROKER_WAIT_CAP)
        raise task.retry(countdown=wait) from exc
    return "ok"


@shared_task
def sweep_retention() -> int:
    """Run by beat daily: videos past their tenant's retention are deleted (grades stay)."""
    return retention_sweep().deleted


@shared_task
def reconcile_all_storage() -> int:
    """Run by beat weekly: list every storage against the database; report orphans and
    missing objects, delete orphans older than the grace period."""
    orphans = 0
    for config, tenant_id in storages_to_reconcile(None):
        try:
            report = storage_reconcile(config=config, tenant_id=tenant_id, fix=True)
        except ProviderError as exc:
            logger.warning("reconcile %s: %s", config, exc.message)
            continue
        orphans += report.orphans
    return orphans


@shared_task
def roll_up_events() -> int:
    """Run by beat nightly: count the closed days of the event log for the dashboard."""
    return event_rollup_update()
