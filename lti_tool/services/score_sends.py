"""The outbox to the LMS gradebook (AGS): each score to send is a `ScoreSend` row, written
in the transaction of the change it reports (a grade saved in `lti_tool.services.grades`, a
confirmed upload, a deleted video), and its task is enqueued on commit. The worker claims
the row (state `sending`, committed), calls the LMS with no transaction open and no lock
held, then records the outcome, so two workers never send one row; a crash between claim
and outcome is undone when the worker starts again (`scores_release_claims`, its claims
carry its name) or by the beat sweep after `SENDING_TIMEOUT` (`scores_due`). A transient
failure stays pending and is retried with growing backoff for `RETRY_WINDOW`: the wait is
in the row (`next_attempt_at`), the beat sweep enqueues it when due, and the broker holds
no delayed message a crash or an outage could lose. A newer row of the same
student supersedes an unsent older one, so the gradebook never ends on a stale grade. A
platform keeps the score with the latest `timestamp`, so a repeat after a crash between
the POST and our commit changes nothing there.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lti_tool import jobs
from lti_tool.lti import ags
from lti_tool.lti.advantage import SCOPE_SCORE
from lti_tool.models import ScoreSend, Submission, VideoAssignment
from lti_tool.services.lineitems import line_item_ensure
from lti_tool.tenants.platform_services import platform_services
from storage_backends.errors import ProviderError

logger = logging.getLogger(__name__)
RETRY_WINDOW = timedelta(hours=24)
# Longer than one attempt may take: the task's hard time limit (lti_tool/tasks.py) ends it.
SENDING_TIMEOUT = timedelta(seconds=90)
# A row whose message is queued: the sweep leaves it alone this long, then enqueues it again
# (the message was lost to a broker outage, or a crash).
QUEUED_LEASE = timedelta(seconds=90)
State = ScoreSend.State
Outcome = Literal["sent", "skipped", "busy", "superseded", "retry", "failed"]


def score_submitted_record(*, submission: Submission) -> ScoreSend | None:
    """A student's upload was confirmed: tell the gradebook it waits for grading.
    Call inside the confirming transaction."""
    return _progress_record(submission, ScoreSend.Kind.SUBMITTED, "Submitted", "PendingManual")


def score_reset_record(*, submission: Submission) -> ScoreSend | None:
    """The student's video was deleted: the gradebook cell goes back to "nothing
    submitted" (no score). Call inside the deleting transaction."""
    return _progress_record(submission, ScoreSend.Kind.RESET, "Initialized", "NotReady")


def _progress_record(
    submission: Submission, kind: ScoreSend.Kind, activity: str, grading: str
) -> ScoreSend | None:
    """A score without points: only where the student's work stands (AGS progress)."""
    return score_send_create(
        assignment=submission.assignment,
        student_id=submission.student_id,
        submission_id=submission.pk,
        kind=kind,
        payload={
            "userId": submission.student.sub,
            "timestamp": score_timestamp(timezone.now()),
            "activityProgress": activity,
            "gradingProgress": grading,
        },
    )


def score_send_create(
    *,
    assignment: VideoAssignment,
    student_id: int,
    submission_id: int | None,
    kind: ScoreSend.Kind,
    payload: dict[str, Any],
) -> ScoreSend | None:
    if not assignment.has_gradebook:
        return None  # the LMS offered no grade service for this link: the grade stays here
    now = timezone.now()
    row = ScoreSend.objects.create(
        assignment=assignment,
        student_id=student_id,
        submission_id=submission_id,
        kind=kind,
        payload=payload,
        next_attempt_at=now + QUEUED_LEASE,
        retry_until=now + RETRY_WINDOW,
    )
    _enqueue(row.pk)
    return row


def score_send_requeue(row: ScoreSend) -> None:
    """`row` (locked by the caller's transaction) is pending again, with a new retry
    window, and enqueued on commit."""
    now = timezone.now()
    row.state, row.next_attempt_at = State.PENDING, now + QUEUED_LEASE
    row.retry_until = now + RETRY_WINDOW
    row.save(update_fields=["state", "next_attempt_at", "retry_until"])
    _enqueue(row.pk)


def score_send_attempt(*, score_send_id: int, retry_in: float, worker: str = "") -> Outcome:
    """One delivery attempt: claim the row (for `worker`), call the LMS with no transaction
    open, then record the outcome. On "retry" the row is due again in `retry_in` seconds."""
    row = _claim(score_send_id, worker)
    if isinstance(row, str):
        return row
    try:
        _deliver(row)
    except ProviderError as exc:
        return _record_outcome(row, exc, retry_in)
    outcome = _record_outcome(row, None, retry_in)
    if outcome == "sent":
        logger.info("score sent id=%s kind=%s attempts=%s", row.pk, row.kind, row.attempts)
    return outcome


def _claim(score_send_id: int, worker: str) -> ScoreSend | Outcome:
    """The row, now `sending` and ours; or why there is nothing to send."""
    with transaction.atomic():
        row = (
            ScoreSend.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignment__course__platform", "student")
            .filter(pk=score_send_id)
            .first()
        )
        if row is None or row.state == State.SENDING:
            return "busy"  # another worker holds it (or it is gone)
        if row.state != State.PENDING:
            return "skipped"
        if _newer_exists(row):
            row.state = State.SUPERSEDED
            row.save(update_fields=["state"])
            return "superseded"
        row.attempts += 1
        row.state, row.claimed_at, row.claimed_by = State.SENDING, timezone.now(), worker
        row.save(update_fields=["attempts", "state", "claimed_at", "claimed_by"])
    return row


def _record_outcome(row: ScoreSend, exc: ProviderError | None, retry_in: float) -> Outcome:
    with transaction.atomic():
        locked = ScoreSend.objects.select_for_update().get(pk=row.pk)
        if locked.state != State.SENDING or locked.claimed_at != row.claimed_at:
            # The sweep took the claim back (we were too slow): the new claim's sender
            # records the outcome; a repeat POST changes nothing at the platform.
            logger.warning("score send id=%s: claim lost while sending", row.pk)
            return "skipped"
        locked.claimed_at, locked.claimed_by = None, ""
        if exc is not None:
            return _record_failure(locked, exc, retry_in)
        locked.state, locked.sent_at, locked.last_error = State.SENT, timezone.now(), ""
        locked.next_attempt_at = None
        locked.save()
    return "sent"


def scores_due(
    *,
    stale_after: timedelta = timedelta(0),
    sending_timeout: timedelta = SENDING_TIMEOUT,
    lease: timedelta = QUEUED_LEASE,
    limit: int = 500,
) -> list[int]:
    """Pending rows due for an attempt: their backoff is over, or their message was lost (a
    broker outage at commit time, a crash). A row claimed for sending longer ago than
    `sending_timeout` is a crashed worker's: pending again. The rows returned are leased:
    the next sweeps leave them to the message the caller enqueues."""
    now = timezone.now()
    ScoreSend.objects.filter(state=State.SENDING, claimed_at__lte=now - sending_timeout).update(
        state=State.PENDING, claimed_at=None, claimed_by="", next_attempt_at=now
    )
    due = list(
        ScoreSend.objects.filter(state=State.PENDING, next_attempt_at__lte=now - stale_after)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    ScoreSend.objects.filter(pk__in=due).update(next_attempt_at=now + lease)
    return due


def scores_release_claims(*, worker: str, keep: str) -> list[int]:
    """A worker starts again: the rows its earlier run had claimed (`claimed_by` starting
    with `worker`, other than this run's `keep`) died with that run. Pending again, and
    returned to be enqueued at once: a repeat POST carries the same timestamp, so the
    platform keeps one score."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            ScoreSend.objects.select_for_update()
            .filter(state=State.SENDING, claimed_by__startswith=worker)
            .exclude(claimed_by=keep)
            .values_list("pk", flat=True)
        )
        ScoreSend.objects.filter(pk__in=rows).update(
            state=State.PENDING, claimed_at=None, claimed_by="", next_attempt_at=now + QUEUED_LEASE
        )
    if rows:
        logger.warning("score sends released after a restart worker=%s ids=%s", worker, rows)
    return rows


def _enqueue(score_send_id: int) -> None:
    # A broker hiccup must not fail the teacher's save: the sweep re-sends the row.
    jobs.enqueue_on_commit(jobs.SEND_SCORE, score_send_id)


def _newer_exists(row: ScoreSend) -> bool:
    return (
        ScoreSend.objects.filter(
            assignment_id=row.assignment_id,
            student_id=row.student_id,
            created_at__gt=row.created_at,
        ).exists()
        or ScoreSend.objects.filter(
            assignment_id=row.assignment_id,
            student_id=row.student_id,
            created_at=row.created_at,
            pk__gt=row.pk,
        ).exists()
    )


def _deliver(row: ScoreSend) -> None:
    assignment = row.assignment
    platform = assignment.course.platform
    if platform is None or not assignment.has_gradebook:
        raise ProviderError(_("The LMS gave this link no gradebook column."), permanent=True)
    if SCOPE_SCORE not in assignment.ags_scopes:
        raise ProviderError(
            _("The LMS does not let the tool send scores for this link."), permanent=True
        )
    lineitem_url = line_item_ensure(assignment_id=assignment.pk)
    ags.post_score(
        platform_services(platform), lineitem_url, row.payload, scopes=sorted(assignment.ags_scopes)
    )


def _record_failure(row: ScoreSend, exc: ProviderError, retry_in: float) -> Outcome:
    now = timezone.now()
    row.last_error = _reason(exc)
    give_up = exc.permanent or now + timedelta(seconds=retry_in) > row.retry_until
    row.state = State.FAILED if give_up else State.PENDING
    row.next_attempt_at = None if give_up else now + timedelta(seconds=retry_in)
    row.save()
    logger.warning(
        "score send id=%s attempt=%s %s: %s",
        row.pk,
        row.attempts,
        "failed" if give_up else "will retry",
        exc,
    )
    return "failed" if give_up else "retry"


def _reason(exc: ProviderError) -> str:
    """The failure in words a teacher can act on."""
    if exc.status in (401, 403):
        return _("The LMS refused the tool access to its gradebook (HTTP %(status)s).") % {
            "status": exc.status
        }
    if exc.status == 404:
        return _("The LMS no longer has this gradebook column (HTTP 404).")
    if exc.status is not None:
        return _("The LMS answered HTTP %(status)s.") % {"status": exc.status}
    message = str(exc)
    if message.startswith("The "):  # one of our own sentences (no gradebook, no scope...)
        return message[:500]
    if not exc.permanent:
        return _("Could not reach the LMS.")
    return _("The LMS call failed: %(reason)s") % {"reason": message[:400]}


def score_timestamp(moment: Any) -> str:
    return str(moment.isoformat(timespec="milliseconds"))
