from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lti_video")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# What workers do around tasks (database connections, log context, metrics) and their
# heartbeat for readiness: lti_tool/ops/celery_hooks.py.
from lti_tool.ops.celery_hooks import connect as _connect_ops_hooks  # noqa: E402

_connect_ops_hooks()
