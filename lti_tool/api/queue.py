"""The teacher's grading queue: a page of submissions with whole-class counts, the next or
previous one, and "Release grades"."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from lti_tool.api.common import Out, SubmissionState, error_responses, launch_claims
from lti_tool.selectors.queue import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    Filter,
    QueuePage,
    grading_queue,
    queue_neighbour,
)
from lti_tool.services.grades import grades_release

router = Router(tags=["queue"])
FilterParam = Literal["all", "needs_grading", "graded", "late", "failed", "held"]


class QueueCountsOut(Out):
    all: int
    needs_grading: int
    graded: int
    late: int
    failed: int = Field(description="Upload failed, or its score could not be sent to the LMS.")
    held: int = Field(description="Graded, waiting for the teacher to release the grades.")


class QueueStudentOut(Out):
    id: int
    name: str


class QueueItemOut(Out):
    submission_id: int
    student: QueueStudentOut
    state: SubmissionState
    state_label: str
    submitted_at: datetime | None
    duration_seconds: float | None
    late: bool
    score: float | None
    held: bool
    sync_state: str | None


class QueueOut(Out):
    filter: FilterParam
    page: int
    page_size: int
    pages: int
    total: int
    max_points: float
    hold_grades: bool
    counts: QueueCountsOut
    items: list[QueueItemOut]


class QueueParams(Schema):
    filter: FilterParam = "all"
    page: int = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class NeighbourParams(Schema):
    after: int = Field(description="The submission open now.")
    direction: Literal["next", "previous"] = "next"
    filter: FilterParam = "all"


class NeighbourOut(Out):
    submission_id: int | None = Field(description="None: no other submission in this filter.")


class ReleasedOut(Out):
    released: int


_ERRORS = error_responses(400, 401, 403, 404)


@router.get("/queue", response={200: QueueOut, **_ERRORS})
def queue(request: HttpRequest, params: Query[QueueParams]) -> QueuePage:
    """A page of the assignment's submissions in a stable order, with counts for the class."""
    filter_: Filter = params.filter
    return grading_queue(
        launch_claims(request), filter=filter_, page=params.page, page_size=params.page_size
    )


@router.get("/queue/neighbour", response={200: NeighbourOut, **_ERRORS})
def queue_next(request: HttpRequest, params: Query[NeighbourParams]) -> NeighbourOut:
    found = queue_neighbour(
        launch_claims(request),
        submission_id=params.after,
        direction=params.direction,
        filter=params.filter,
    )
    return NeighbourOut(submission_id=found)


@router.post("/grades/release", response={200: ReleasedOut, **_ERRORS})
def release_grades(request: HttpRequest) -> ReleasedOut:
    """Send every held grade to its student and the LMS gradebook, once each."""
    return ReleasedOut(released=grades_release(claims=launch_claims(request)))
