"""Background work the services ask for, enqueued once their transaction commits.

Services never import `lti_tool.tasks` (the tasks import the services): they name the
task here and it is looked up in the Celery app's registry when the transaction commits
(eager mode included). A broker that is down must not turn a saved request into a 500:
the failure is logged, the row the task works on is marked due now, and the beat sweep
enqueues it as soon as the broker answers again (within its period, seconds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.db import DatabaseError, transaction
from django.utils import timezone

from lti_tool.models import ScoreSend, Submission

logger = logging.getLogger(__name__)

VERIFY_SUBMISSION = "lti_tool.tasks.verify_submission"
PURGE_VIDEO = "lti_tool.tasks.purge_video"
SEND_SCORE = "lti_tool.tasks.send_score"
ENSURE_LINE_ITEM = "lti_tool.tasks.ensure_line_item"
SYNC_LINE_ITEM = "lti_tool.tasks.sync_line_item"


def enqueue_on_commit(task_name: str, *args: int) -> None:
    """Run `task_name(*args)` on a worker after the current transaction commits."""
    transaction.on_commit(lambda: _enqueue(task_name, *args), robust=True)


def _enqueue(task_name: str, *args: int) -> None:
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the commit stands
        logger.error("enqueue failed task=%s args=%s: %r", task_name, args, exc)
        _due_now(task_name, args)


def _verify_due(submission_id: int) -> None:
    Submission.objects.filter(pk=submission_id).update(verify_next_at=timezone.now())


def _score_due(score_send_id: int) -> None:
    ScoreSend.objects.filter(pk=score_send_id, state=ScoreSend.State.PENDING).update(
        next_attempt_at=timezone.now()
    )


# The row each swept task works on: marked due, the next sweep enqueues it.
_MARK_DUE: dict[str, Callable[[int], None]] = {
    VERIFY_SUBMISSION: _verify_due,
    SEND_SCORE: _score_due,
}


def _due_now(task_name: str, args: tuple[int, ...]) -> None:
    mark = _MARK_DUE.get(task_name)
    if mark is None or not args:
        return  # purges and line items: their own sweeps (or the next launch) try again
    try:
        mark(args[0])
    except DatabaseError:
        logger.exception(
            "could not mark %s%s due: the sweep's lease takes it later", task_name, args
        )
