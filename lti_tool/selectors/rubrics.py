"""Rubrics: an assignment's criteria, each with levels worth points; grading picks one level
per criterion and the levels' points add up to the score (the teacher may adjust it, with a
note the student sees). Stored as JSON on the assignment and the grade; the rules are here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from lti_tool.errors import AppError
from lti_tool.models import VideoAssignment

Rubric = list[dict[str, Any]]  # [{"title": str, "levels": [{"points": float, "description": str}]}]


@dataclass(frozen=True)
class FilledCriterion:
    title: str
    points: float
    max_points: float
    description: str


def rubric_max(rubric: Rubric) -> Decimal:
    return sum((Decimal(str(max(lv["points"] for lv in c["levels"]))) for c in rubric), Decimal(0))


def rubric_total(rubric: Rubric, levels: list[int]) -> Decimal:
    """The points of the chosen levels; raises AppError unless one valid level per criterion."""
    if len(levels) != len(rubric) or any(
        not 0 <= index < len(criterion["levels"])
        for index, criterion in zip(levels, rubric, strict=False)
    ):
        raise AppError("bad_rubric", _("Choose one level for each criterion of the rubric."))
    points = (c["levels"][i]["points"] for c, i in zip(rubric, levels, strict=True))
    return sum((Decimal(str(p)) for p in points), Decimal(0))


def rubric_filled(rubric: Rubric, levels: list[int]) -> list[FilledCriterion]:
    """The rubric as graded, for the student's page and the gradebook comment."""
    if len(levels) != len(rubric):
        return []
    filled = []
    for criterion, index in zip(rubric, levels, strict=True):
        if not 0 <= index < len(criterion["levels"]):
            return []
        level = criterion["levels"][index]
        top = max(lv["points"] for lv in criterion["levels"])
        filled.append(
            FilledCriterion(criterion["title"], level["points"], top, level["description"])
        )
    return filled


def course_rubrics(*, course_id: int, exclude_id: int | None = None) -> dict[int, Rubric]:
    """The rubrics of the course's assignments (but `exclude_id`), by assignment id."""
    rows = VideoAssignment.objects.filter(course_id=course_id).exclude(rubric=[])
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return dict(rows.order_by("title", "pk").values_list("pk", "rubric"))


def course_rubric_titles(*, course_id: int, exclude_id: int | None = None) -> list[tuple[int, str]]:
    rows = VideoAssignment.objects.filter(course_id=course_id).exclude(rubric=[])
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return list(rows.order_by("title", "pk").values_list("pk", "title"))
