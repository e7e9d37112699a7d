"""Grading endpoints of the teacher page: save a grade, see and retry its trip to the LMS.

Teachers only, scoped to the launched course and assignment (404 for anything else).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from lti_tool.api.common import Out, error_responses, launch_claims
from lti_tool.selectors.grades import GradeState, grade_state, grade_states
from lti_tool.services.grades import grade_save, score_resend

router = Router(tags=["grades"])


class GradeSyncOut(Out):
    state: str = Field(description='"none", "unavailable", "pending", "sent" or "failed"')
    message: str
    error: str
    attempts: int
    sent_at: datetime | None
    can_resend: bool


class GradeOut(Out):
    submission_id: int
    student_id: int
    score: float | None
    comment: str
    graded_at: datetime | None
    graded_by: str
    graded_submission_id: int | None
    max_points: float
    sync: GradeSyncOut
    held: bool = Field(description="Saved, not yet released to the student and the LMS.")
    rubric_levels: list[int] = Field(description="The chosen level of each rubric criterion.")
    score_note: str = Field(description="Why the score differs from the rubric's total.")


class GradeIn(Schema):
    score: Decimal = Field(ge=0, max_digits=8, decimal_places=2)
    comment: str = Field("", max_length=10_000)
    rubric_levels: list[int] | None = Field(
        None, description="With the assignment's rubric: the chosen level of each criterion."
    )
    score_note: str = Field("", max_length=2000)


_ERRORS = error_responses(400, 403, 404, 409)


@router.get("/grades", response={200: list[GradeOut], **_ERRORS})
def list_grades(request: HttpRequest) -> list[GradeState]:
    return grade_states(launch_claims(request))


@router.get("/submissions/{submission_id}/grade", response={200: GradeOut, **_ERRORS})
def get_grade(request: HttpRequest, submission_id: int) -> GradeState:
    return grade_state(launch_claims(request), submission_id)


@router.post("/submissions/{submission_id}/grade", response={200: GradeOut, **_ERRORS})
def save_grade(request: HttpRequest, submission_id: int, payload: GradeIn) -> GradeState:
    claims = launch_claims(request)
    grade_save(
        claims=claims,
        submission_id=submission_id,
        score=payload.score,
        comment=payload.comment,
        rubric_levels=payload.rubric_levels,
        score_note=payload.score_note,
    )
    return grade_state(claims, submission_id)


@router.post("/submissions/{submission_id}/grade/resend", response={200: GradeOut, **_ERRORS})
def resend_grade(request: HttpRequest, submission_id: int) -> GradeState:
    claims = launch_claims(request)
    score_resend(claims=claims, submission_id=submission_id)
    return grade_state(claims, submission_id)
