"""What Celery workers do around tasks: database connections kept across tasks but never
stale, a heartbeat for readiness, task outcomes for the metrics. Connected by
config/celery.py; Django models are imported only when a signal fires (the Celery app is
built before Django is set up)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import structlog
from celery.signals import task_postrun, task_prerun, worker_process_shutdown, worker_ready


def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    from lti_tool.ops.broker import heartbeat_start

    heartbeat_start(getattr(sender, "hostname", None) or "worker")


def _close_old_connections(sender: Any = None, **_: Any) -> None:
    """What Django does around a request, around a task: with CELERY_DB_REUSE_MAX the
    connection is kept across tasks, and this still drops one that is broken or older than
    CONN_MAX_AGE (with the health check of config/postgresql/base.py: no round trip for a
    connection the task before used)."""
    from django.db import close_old_connections

    if getattr(getattr(sender, "request", None), "is_eager", False):  # eager: the caller's
        return
    close_old_connections()


def _task_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Every log line of a task run carries the task's name and id."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task=getattr(task, "name", "?"), task_id=task_id)


def _task_done(task: Any = None, state: str | None = None, **_: Any) -> None:
    """A worker counts in its buffer (no Redis call per task); a flusher thread sends it on
    every METRICS_FLUSH_SECONDS, busy or idle, and the process's exit sends the rest. An
    eager task counts as its caller (a request) does."""
    from lti_tool.ops.metrics import CELERY_TASKS
    from lti_tool.ops.shared_metrics import shared

    eager = bool(getattr(getattr(task, "request", None), "is_eager", False))
    name, outcome = getattr(task, "name", "?"), (state or "?").lower()
    shared.inc(CELERY_TASKS, task=name, outcome=outcome, flush=eager)
    if not eager:
        _flusher_ensure()


_flusher_pid: int | None = None  # the process whose flusher runs (a forked child has none)


def _flusher_ensure() -> None:
    global _flusher_pid  # noqa: PLW0603 - one flusher per process
    if _flusher_pid == os.getpid():
        return
    _flusher_pid = os.getpid()
    threading.Thread(target=_flush_forever, name="lti-metrics-flush", daemon=True).start()


def _flush_forever() -> None:
    from django.conf import settings

    from lti_tool.ops.shared_metrics import shared

    while True:
        time.sleep(max(float(settings.METRICS_FLUSH_SECONDS), 0.1))
        shared.flush_if_due()  # nothing buffered: no call; Redis down: kept for later


def _flush_at_exit(**_: Any) -> None:
    from lti_tool.ops.shared_metrics import shared

    shared.flush()


def connect() -> None:
    for signal in (task_prerun, task_postrun):
        signal.connect(_close_old_connections, weak=False, dispatch_uid="lti-db-connections")
    worker_ready.connect(_start_heartbeat, weak=False, dispatch_uid="lti-heartbeat")
    task_prerun.connect(_task_started, weak=False, dispatch_uid="lti-task-log-context")
    task_postrun.connect(_task_done, weak=False, dispatch_uid="lti-task-metrics")
    worker_process_shutdown.connect(_flush_at_exit, weak=False, dispatch_uid="lti-metrics-exit")
