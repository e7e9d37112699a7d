"""The database health check (config/postgresql/base.py) against the real PostgreSQL: a
connection that answered the request before is reused without a `SELECT 1`; one idle for
longer is checked and, if PostgreSQL dropped it, replaced before the request's query.

Request boundaries are driven by hand: they are where Django calls
`close_if_unusable_or_obsolete` (its request signals, which the test client turns off)."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def _request(sql: str = "SELECT 1") -> int:
    """One request's worth of database use: its start, a query, its end. The server's
    process id answering, so a test sees whether the connection was replaced."""
    connection.close_if_unusable_or_obsolete()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"{sql}, pg_backend_pid()")
            return int(cursor.fetchone()[1])
    finally:
        connection.close_if_unusable_or_obsolete()


@pytest.fixture
def health_checks() -> Iterator[mock.Mock]:
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as spy:
        yield spy


def _drop(backend_pid: int) -> None:
    """PostgreSQL ends that connection, as a restart or an idle timeout would."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def test_a_connection_that_just_answered_is_used_without_a_check(
    settings, health_checks: mock.Mock
) -> None:
    settings.DB_HEALTH_CHECK_AFTER = 60
    first = _request()
    health_checks.reset_mock()

    assert _request() == first  # the same connection
    assert health_checks.call_count == 0


def test_an_idle_connection_is_checked_and_a_dropped_one_replaced(
    settings, health_checks: mock.Mock
) -> None:
    settings.DB_HEALTH_CHECK_AFTER = 0  # every connection counts as idle
    first = _request()
    _drop(first)
    health_checks.reset_mock()

    second = _request()  # no error: the check found it dead and reconnected

    assert second != first
    assert health_checks.call_count == 1


def test_a_connection_dropped_right_after_answering_fails_one_request_only(settings) -> None:
    """The trade-off, bounded: within DB_HEALTH_CHECK_AFTER of its last answer a dropped
    connection fails the request that uses it (the API answers that with its outage 503);
    Django closes it at that request's end and the next request reconnects."""
    settings.DB_HEALTH_CHECK_AFTER = 60
    first = _request()
    _drop(first)

    with pytest.raises(OperationalError):
        _request()
    assert _request() != first
