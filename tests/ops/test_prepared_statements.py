"""The production settings have PostgreSQL plan a repeated statement once per connection:
the hot paths' reads (a ticket's, a playback link's) are prepared after a few runs instead
of being parsed and planned on every request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from lti_tool.models import Submission

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
    ),
]


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if fragment in row[0]]


def _read() -> None:
    list(Submission.objects.filter(pk=1, state="ready"))  # a new queryset: no result cache


def test_a_statement_run_often_is_prepared_once() -> None:
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert threshold == 5
    read = '"lti_tool_submission"."state" = $2'  # the values are bound apart from the SQL

    for _ in range(threshold):
        _read()
    before = _prepared(read)
    for _ in range(3):
        _read()

    assert before == []
    assert len(_prepared(read)) == 1  # prepared once, then executed by name
