"""Celery tasks: they take ids, are idempotent, and retry provider hiccups with backoff."""

from __future__ import annotations

import logging
import random

from celery import shared_task

from lti_tool.models import Submission
from lti_tool.services.submissions import submission_mark_failed, submission_mark_verified
from storage_backends.base import StorageError
from storage_backends.registry import get_backend

logger = logging.getLogger(__name__)
MAX_RETRIES = 8


def backoff_seconds(retries: int, *, base: float = 2.0, cap: float = 600.0) -> float:
    """Exponential backoff with full jitter: spread retries so they do not arrive together."""
    return random.uniform(0, min(cap, base * 2**retries))  # noqa: S311 - not cryptographic


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def verify_submission(self, submission_id: int) -> str:  # type: ignore[no-untyped-def]
    """Ask storage what arrived; mark the submission ready, failed, or check again later."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None or submission.state not in (
        Submission.State.UPLOADED, Submission.State.PROCESSING
    ):
        return "skipped"
    try:
        metadata = get_backend().get_metadata(submission.video_id)
    except StorageError as exc:
        if exc.permanent or self.request.retries >= MAX_RETRIES:
            submission_mark_failed(submission_id=submission_id, reason=exc.message)
            return "failed"
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    submission_mark_verified(submission_id=submission_id, metadata=metadata)
    if not metadata.ready and metadata.state != "error":
        raise self.retry(countdown=min(5 * 2**self.request.retries, 300))
    return metadata.state


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def purge_video(self, submission_id: int) -> str:  # type: ignore[no-untyped-def]
    """Remove a deleted or abandoned submission's bytes from storage (deleting is idempotent)."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None or submission.state != Submission.State.DELETED:
        return "skipped"
    try:
        get_backend().delete_video(submission.video_id or submission.upload_ref)
    except StorageError as exc:
        if exc.permanent:
            logger.error("purge failed submission=%s: %s", submission_id, exc.message)
            return "failed"
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return "purged"
