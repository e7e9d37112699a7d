"""What a worker does around each task with its database connection: kept, checked without
a round trip while it is in use, and replaced at once when the server ended it."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from lti_tool.models import Submission
from lti_tool.ops import celery_hooks

pytestmark = pytest.mark.integration
TASK = SimpleNamespace(request=SimpleNamespace(is_eager=False))


def around_a_task() -> None:
    """The worker's hooks after one task and before the next."""
    celery_hooks._close_old_connections(sender=TASK)
    celery_hooks._task_ended()
    celery_hooks._close_old_connections(sender=TASK)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@pytest.fixture
def postgres(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def test_a_connection_in_use_is_kept_without_a_health_check_query(postgres: None) -> None:
    pid = backend_pid()

    around_a_task()

    assert connection.health_check_done  # type: ignore[attr-defined]  # no SELECT 1 to send
    assert backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_the_next_task(
    postgres: None, monkeypatch: Any
) -> None:
    pid = backend_pid()
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the server did not end the connection"
            time.sleep(0.05)

    around_a_task()

    assert Submission.objects.count() >= 0  # the task's first query works
    assert backend_pid() != pid


def test_after_a_pause_the_health_check_query_runs_again(postgres: None, monkeypatch: Any) -> None:
    backend_pid()
    celery_hooks._task_ended()
    monkeypatch.setattr(
        celery_hooks, "_last_task_end", time.monotonic() - celery_hooks.FRESH_CONNECTION_SECONDS - 1
    )

    celery_hooks._close_old_connections(sender=TASK)

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    assert not connection.health_check_done  # type: ignore[attr-defined]
