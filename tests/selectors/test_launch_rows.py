"""The one statement a launch reads with (lti_tool/selectors/launches.py) finds the rows the
ORM finds, with the same values (JSON, decimals, dates), and nothing it should not."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from lti_tool.models import Grade, VideoAssignment
from lti_tool.selectors.launches import launch_rows
from tests.factories import GradeFactory, VideoAssignmentFactory


def values(row: Model | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def rows_of(grade: Grade, **changes: str) -> Any:
    student, course = grade.student, grade.assignment.course
    where = {
        "tenant_id": course.tenant_id,
        "issuer": course.issuer,
        "sub": student.sub,
        "context_id": course.context_id,
        "resource_link_id": grade.assignment.resource_link_id,
    }
    return launch_rows(**{**where, **changes})


@pytest.fixture
def grade(db: None) -> Grade:
    assignment = VideoAssignmentFactory(
        rubric=[{"title": "Voice", "levels": [{"label": "Clear", "points": 2}]}],
        allowed_sources=["camera"],
        max_points=Decimal("20.50"),
        due_at=timezone.now() + timedelta(days=3),
    )
    return GradeFactory(
        submission__assignment=assignment, score=Decimal("17.25"), rubric_levels={"0": 1}
    )


def test_reads_what_the_orm_reads(grade: Grade) -> None:
    found = rows_of(grade)

    assert values(found.user) == values(grade.student)
    assert values(found.course) == values(grade.assignment.course)
    assert values(found.assignment) == values(VideoAssignment.objects.get())
    assert values(found.grade) == values(Grade.objects.get())
    assert found.assignment is not None and found.assignment.course is found.course


def test_a_held_grade_is_not_shown(grade: Grade) -> None:
    Grade.objects.update(held=True)

    found = rows_of(grade)
    assert found.grade is None and found.assignment is not None


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        ({"sub": "someone-else"}, {"course", "assignment"}),
        ({"context_id": "other-course"}, {"user"}),
        ({"resource_link_id": "other-link"}, {"user", "course"}),
        ({"resource_link_id": ""}, {"user", "course"}),  # a launch without a link
        ({"issuer": "https://other.example"}, set()),
    ],
)
def test_finds_only_the_rows_of_this_launch(
    grade: Grade, changes: dict[str, str], found: set[str]
) -> None:
    VideoAssignmentFactory(course=grade.assignment.course, resource_link_id="")  # deep-linked

    rows = rows_of(grade, **changes)
    present = {name for name in ("user", "course", "assignment", "grade") if getattr(rows, name)}
    assert present == found
