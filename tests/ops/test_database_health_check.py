"""The database health check (config/postgresql/base.py) against the real PostgreSQL: a
connection that answered the request before is reused without a `SELECT 1`; one idle for
longer is checked with one, one the server ended is seen without one; a dropped connection
is replaced before the request's query.

The boundaries are driven by hand: a web request's (where Django's request signals call
`close_if_unusable_or_obsolete`; the test client turns them off) and a Celery task's (the
worker's hooks in lti_tool/ops/celery_hooks.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from unittest import mock

import psycopg
import pytest
from django.db import connection

from lti_tool.ops import celery_hooks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


@pytest.fixture(params=["request", "task"])
def boundary(request: pytest.FixtureRequest) -> Callable[[], None]:
    """What runs as a web request or a worker's task starts and ends."""
    if request.param == "request":
        return connection.close_if_unusable_or_obsolete
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    return lambda: celery_hooks._close_old_connections(sender=task)


def _work(boundary: Callable[[], None]) -> int:
    """One request's or task's database use: its start, a query, its end. The server's
    process id answering, so a test sees whether the connection was replaced."""
    boundary()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])
    finally:
        boundary()


@pytest.fixture
def health_checks() -> Iterator[mock.Mock]:
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as spy:
        yield spy


def _drop(backend_pid: int) -> None:
    """PostgreSQL ends that connection, as a restart or an idle timeout would."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
        deadline = time.monotonic() + 10
        while admin.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid]
        ).fetchone():
            assert time.monotonic() < deadline, "the server did not end the connection"
            time.sleep(0.02)


def test_a_connection_that_just_answered_is_used_without_a_check(
    settings, boundary: Callable[[], None], health_checks: mock.Mock
) -> None:
    settings.DB_HEALTH_CHECK_AFTER = 60
    first = _work(boundary)
    health_checks.reset_mock()

    assert _work(boundary) == first  # the same connection
    assert health_checks.call_count == 0


def test_an_idle_connection_is_checked_and_a_dropped_one_replaced(
    settings, boundary: Callable[[], None], health_checks: mock.Mock
) -> None:
    settings.DB_HEALTH_CHECK_AFTER = 0  # every connection counts as idle
    first = _work(boundary)
    _drop(first)
    health_checks.reset_mock()

    second = _work(boundary)  # no error: the check found it dead and reconnected

    assert second != first
    assert health_checks.call_count == 1


def test_a_connection_the_server_ended_right_after_answering_is_replaced(
    settings, boundary: Callable[[], None]
) -> None:
    """Within DB_HEALTH_CHECK_AFTER no query is sent, but the server's goodbye is seen."""
    settings.DB_HEALTH_CHECK_AFTER = 60
    first = _work(boundary)
    _drop(first)

    assert _work(boundary) != first  # no error: replaced before the query
