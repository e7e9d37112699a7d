"""Background work the services ask for, enqueued once their transaction commits.

Services never import `lti_tool.tasks` (the tasks import the services): they name the
task here and it is looked up in the Celery app's registry when the transaction commits
(eager mode included). `robust=True`: a broker hiccup after the commit must not turn a
saved request into a 500; the beat sweeps pick up what was not enqueued.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

VERIFY_SUBMISSION = "lti_tool.tasks.verify_submission"
PURGE_VIDEO = "lti_tool.tasks.purge_video"
SEND_SCORE = "lti_tool.tasks.send_score"
ENSURE_LINE_ITEM = "lti_tool.tasks.ensure_line_item"
SYNC_LINE_ITEM = "lti_tool.tasks.sync_line_item"


def enqueue_on_commit(task_name: str, *args: int) -> None:
    """Run `task_name(*args)` on a worker after the current transaction commits."""
    transaction.on_commit(lambda: _enqueue(task_name, *args), robust=True)


def _enqueue(task_name: str, *args: int) -> None:
    current_app.tasks[task_name].delay(*args)
