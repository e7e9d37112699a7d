"""What Celery workers do around tasks: database connections kept across tasks but never
stale, a heartbeat for readiness, task outcomes for the metrics. Connected by
config/celery.py; Django models are imported only when a signal fires (the Celery app is
built before Django is set up)."""

from __future__ import annotations

from typing import Any

import structlog
from celery.signals import task_postrun, task_prerun, worker_ready


def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    from lti_tool.ops.broker import heartbeat_start

    heartbeat_start(getattr(sender, "hostname", None) or "worker")


def _close_old_connections(sender: Any = None, **_: Any) -> None:
    """What Django does around a request, around a task: with CELERY_DB_REUSE_MAX the
    connection is kept across tasks, and this still drops one that is broken or older than
    CONN_MAX_AGE (with the health check of DATABASES)."""
    from django.db import close_old_connections

    if not getattr(getattr(sender, "request", None), "is_eager", False):  # eager: the caller's
        close_old_connections()


def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Every log line of a task run carries the task's name and id."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task=getattr(task, "name", "?"), task_id=task_id)


def _task_done(task: Any = None, state: str | None = None, **_: Any) -> None:
    from lti_tool.ops.metrics import CELERY_TASKS
    from lti_tool.ops.shared_metrics import shared

    shared.inc(CELERY_TASKS, task=getattr(task, "name", "?"), outcome=(state or "?").lower())
    shared.flush()  # a worker pays one Redis call per task, and nothing waits in its buffer


def connect() -> None:
    for signal in (task_prerun, task_postrun):
        signal.connect(_close_old_connections, weak=False, dispatch_uid="lti-db-connections")
    worker_ready.connect(_start_heartbeat, weak=False, dispatch_uid="lti-heartbeat")
    task_prerun.connect(_task_started, weak=False, dispatch_uid="lti-task-log-context")
    task_postrun.connect(_task_done, weak=False, dispatch_uid="lti-task-metrics")
