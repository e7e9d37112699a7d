from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lti_video")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Worker heartbeat (readiness) and task outcome metrics: lti_tool/ops/celery_hooks.py.
from lti_tool.ops.celery_hooks import connect as _connect_ops_hooks  # noqa: E402

_connect_ops_hooks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender: Any = None, **kwargs: Any) -> None:
    """What Django does around a request, around a task: with CELERY_DB_REUSE_MAX the
    connection is kept across tasks, and this still drops one that is broken or older than
    CONN_MAX_AGE (with the health check of DATABASES)."""
    from django.db import close_old_connections

    if not getattr(getattr(sender, "request", None), "is_eager", False):  # eager: the caller's
        close_old_connections()
