"""The teacher's grading queue: the assignment's current submissions, filtered, paged, with
counts for the whole class, and the neighbour of a submission for next/previous.

A few queries whatever the class size: the counts are one aggregate, a page is one query, and
a submission's grade and latest score send are correlated subqueries on indexed columns.
The order is stable (student name, then id), so pages and next/previous agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from lti_tool.errors import PermissionDenied
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import ScoreSend, Submission, VideoAssignment
from lti_tool.selectors.submissions import assignment_for_launch

Filter = Literal["all", "needs_grading", "graded", "late", "failed", "held"]
FILTERS: tuple[Filter, ...] = ("all", "needs_grading", "graded", "late", "failed", "held")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_HANDED_IN = [Submission.State.UPLOADED, Submission.State.PROCESSING, Submission.State.READY]
_IN_QUEUE = [*_HANDED_IN, Submission.State.FAILED]
_ORDER = ("student__name", "student_id")


@dataclass(frozen=True)
class QueueCounts:
    all: int
    needs_grading: int
    graded: int
    late: int
    failed: int
    held: int


@dataclass(frozen=True)
class QueueStudent:
    id: int
    name: str


@dataclass(frozen=True)
class QueueItem:
    submission_id: int
    student: QueueStudent
    state: str
    state_label: str
    submitted_at: datetime | None
    duration_seconds: float | None
    late: bool
    score: Decimal | None
    held: bool
    sync_state: str | None


@dataclass(frozen=True)
class QueuePage:
    filter: Filter
    page: int
    page_size: int
    pages: int
    total: int
    max_points: Decimal
    hold_grades: bool
    counts: QueueCounts
    items: list[QueueItem]


def grading_queue(
    claims: LaunchClaims, *, filter: Filter = "all", page: int = 1, page_size: int = PAGE_SIZE
) -> QueuePage:
    assignment = _teachers_assignment(claims)
    facts = _facts(assignment)
    aggregates: dict[str, Count] = {name: _count(_condition(name, facts)) for name in FILTERS}
    totals = _rows(assignment).aggregate(**aggregates)
    counts = QueueCounts(*(int(totals[name]) for name in FILTERS))  # fields in FILTERS order
    total = getattr(counts, filter)
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    pages = max(1, -(-total // size))
    page = max(1, min(page, pages))
    chosen = (
        _rows(assignment)
        .filter(_condition(filter, facts))
        .annotate(
            score=F("grade__score"),
            held=ExpressionWrapper(facts.held, output_field=BooleanField()),
            sync_state=facts.sync_state,
            late=ExpressionWrapper(facts.late, output_field=BooleanField()),
        )
        .select_related("student")
        .order_by(*_ORDER)
    )
    items = [_item(row) for row in chosen[(page - 1) * size : page * size]]
    return QueuePage(
        filter=filter,
        page=page,
        page_size=size,
        pages=pages,
        total=total,
        max_points=assignment.max_points,
        hold_grades=assignment.hold_grades,
        counts=counts,
        items=items,
    )


def queue_neighbour(
    claims: LaunchClaims,
    *,
    submission_id: int,
    direction: Literal["next", "previous"],
    filter: Filter = "all",
) -> int | None:
    """The submission after (or before) this one in the queue's order among those the
    filter keeps, wrapping around at the end; None when no other one is left."""
    assignment = _teachers_assignment(claims)
    rows = (
        _rows(assignment).filter(_condition(filter, _facts(assignment))).exclude(pk=submission_id)
    )
    here = (
        Submission.objects.filter(pk=submission_id, assignment=assignment)
        .values_list("student__name", "student_id")
        .first()
    )
    forward = direction == "next"
    order = _ORDER if forward else tuple(f"-{name}" for name in _ORDER)
    if here is not None:
        name, student_id = here
        after = Q(student__name__gt=name) | Q(student__name=name, student_id__gt=student_id)
        before = Q(student__name__lt=name) | Q(student__name=name, student_id__lt=student_id)
        found = rows.filter(after if forward else before).order_by(*order).values("pk").first()
        if found is not None:
            return int(found["pk"])
    first = rows.order_by(*order).values("pk").first()
    return int(first["pk"]) if first else None


def _teachers_assignment(claims: LaunchClaims) -> VideoAssignment:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can list the submissions."))
    return assignment_for_launch(claims)


@dataclass(frozen=True)
class _Facts:
    """SQL expressions for what the filters ask of a submission: used both in the counts'
    FILTER clauses and in a page's WHERE (Django cannot count over its own annotations)."""

    graded: Q
    held: Q
    sync_state: Subquery
    sync_failed: Q
    late: Q


def _facts(assignment: VideoAssignment) -> _Facts:
    failed_rows = ScoreSend.objects.filter(
        assignment_id=assignment.pk, state=ScoreSend.State.FAILED
    )
    latest_send = ScoreSend.objects.filter(
        assignment_id=assignment.pk, student_id=OuterRef("student_id")
    ).order_by("-created_at", "-pk")
    due = assignment.due_at
    return _Facts(
        graded=Q(grade__id__isnull=False),
        held=Q(grade__held=True),
        sync_state=Subquery(latest_send.values("state")[:1]),
        # Whose latest score failed: the few students with any failed row first (one hashed
        # subquery), so the per-student lookup of the latest row runs only for them.
        sync_failed=Q(student_id__in=failed_rows.values("student_id"))
        & Q(Exact(Subquery(latest_send.values("state")[:1]), ScoreSend.State.FAILED.value)),
        late=(
            Q(uploaded_at__gt=due) | Q(uploaded_at__isnull=True, created_at__gt=due)
            if due
            else Q(pk__in=[])
        ),
    )


def _rows(assignment: VideoAssignment) -> QuerySet[Submission]:
    """The queue's submissions, each joined with its student's grade for this assignment
    (a LEFT JOIN: a grade belongs to assignment and student, not to one submission)."""
    of_this = Q(student__grades__assignment_id=assignment.pk)
    grade = FilteredRelation("student__grades", condition=of_this)
    return Submission.objects.filter(
        assignment_id=assignment.pk, is_current=True, state__in=_IN_QUEUE
    ).annotate(grade=grade)


def _condition(name: Filter, facts: _Facts) -> Q:
    return {
        "all": Q(),
        "needs_grading": Q(state__in=_HANDED_IN) & Q(grade__id__isnull=True),
        "graded": facts.graded,
        "late": facts.late,
        "failed": Q(state=Submission.State.FAILED) | facts.sync_failed,
        "held": facts.held,
    }[name]


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition) if condition else Count("pk")


def _item(row: Submission) -> QueueItem:
    return QueueItem(
        submission_id=row.pk,
        student=QueueStudent(id=row.student_id, name=row.student.name or row.student.sub),
        state=row.state,
        state_label=row.state_label,
        submitted_at=row.uploaded_at or row.created_at,
        duration_seconds=row.duration_seconds,
        late=bool(row.late),  # type: ignore[attr-defined]  # annotated
        score=row.score,  # type: ignore[attr-defined]
        held=bool(row.held),  # type: ignore[attr-defined]
        sync_state=row.sync_state,  # type: ignore[attr-defined]
    )
