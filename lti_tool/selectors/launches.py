"""What a launch finds already recorded, in one round trip: the person, the course, the
link's assignment and the released grade the student's page shows.

A returning student's launch needs nothing else from the database, and writes nothing when
its claims say nothing new (`lti_tool.services.launches`). Written in SQL, with the columns
and value conversions taken from the models: the same reads as four ORM queries cost ~2.5 ms
of CPU per launch on our machines (building and compiling each query is most of it), this
statement ~0.2 ms. `tests/selectors/test_launch_rows.py` checks it reads what the ORM reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

from lti_tool.models import Course, Grade, LtiUser, VideoAssignment
from lti_tool.selectors.rows import fetch_one, model_from_row

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class LaunchRows:
    user: LtiUser | None
    course: Course | None
    assignment: VideoAssignment | None  # the resource link's, in `course` (which it holds)
    grade: Grade | None  # the user's released (not held) grade in `assignment`


def launch_rows(
    *, tenant_id: int, issuer: str, sub: str, context_id: str, resource_link_id: str
) -> LaunchRows:
    """The rows a launch of `sub` in course `context_id` on link `resource_link_id` finds
    (no link: "", then no assignment and no grade)."""
    params: list[int | str] = [
        *(tenant_id, issuer, sub),
        *(tenant_id, issuer, context_id),
        resource_link_id,
    ]
    row = fetch_one(_sql(), params)
    assert row is not None  # one row always: every table is LEFT JOINed to one
    course = _model(Course, row)
    assignment = _model(VideoAssignment, row)
    if assignment is not None:
        assignment.course = course  # type: ignore[assignment]  # found through it, so present
    return LaunchRows(
        user=_model(LtiUser, row), course=course, assignment=assignment, grade=_model(Grade, row)
    )


def released_grade(*, assignment: VideoAssignment, student: LtiUser) -> Grade | None:
    """The grade the student's page shows: a held grade waits for "Release grades"."""
    return Grade.objects.filter(assignment=assignment, student=student, held=False).first()


_TABLES = {LtiUser: "u", Course: "c", VideoAssignment: "a", Grade: "g"}


@cache
def _sql() -> str:
    q = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{q(field.column)}" for model, alias in _TABLES.items() for field in _fields(model)
    )
    table = {model: q(model._meta.db_table) for model in _TABLES}
    # At most one row: (course, resource_link_id) is unique but for "" (never matched), and
    # there is one grade per student per assignment.
    return (
        f"SELECT {columns} FROM (SELECT 1) AS one"  # noqa: S608 - names from the models
        f" LEFT JOIN {table[LtiUser]} u"
        " ON u.tenant_id = %s AND u.issuer = %s AND u.sub = %s"
        f" LEFT JOIN {table[Course]} c"
        " ON c.tenant_id = %s AND c.issuer = %s AND c.context_id = %s"
        f" LEFT JOIN {table[VideoAssignment]} a"
        " ON a.course_id = c.id AND a.resource_link_id = %s AND a.resource_link_id <> ''"
        f" LEFT JOIN {table[Grade]} g"
        " ON g.assignment_id = a.id AND g.student_id = u.id AND NOT g.held"
    )


def _fields(model: type[Model]) -> list[Any]:
    return list(model._meta.concrete_fields)


@cache
def _columns(model: type[Model]) -> tuple[int, list[str]]:
    """Where the model's columns start in the row, and its fields' attribute names."""
    start = 0
    for other in _TABLES:
        if other is model:
            break
        start += len(_fields(other))
    return start, [field.attname for field in _fields(model)]


def _model(model: type[_M], row: Sequence[Any]) -> _M | None:
    start, names = _columns(model)
    values = row[start : start + len(names)]
    if values[0] is None:  # the primary key: no such row
        return None
    return model_from_row(model, dict(zip(names, values, strict=True)))
