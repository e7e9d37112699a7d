"""Time-stamped comments on a video (teachers write them; the student reads them once the
grade is released) and the student's own released feedback."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from lti_tool.api.common import Out, error_responses, launch_claims
from lti_tool.models import TimedComment
from lti_tool.selectors.feedback import StudentFeedback, student_feedback, submission_comments
from lti_tool.services.feedback import MAX_TEXT, comment_add, comment_delete, comment_update

router = Router(tags=["feedback"])


class TimedCommentOut(Out):
    id: int
    submission_id: int
    at_seconds: float
    text: str
    author: str
    mine: bool = Field(description="Written by the viewer: they may edit or delete it.")
    updated_at: datetime


class TimedCommentIn(Schema):
    at_seconds: float = Field(ge=0)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class FilledCriterionOut(Out):
    title: str
    points: float
    max_points: float
    description: str


class MyFeedbackOut(Out):
    released: bool
    held: bool = Field(description="Graded, but the teacher has not released grades yet.")
    score: float | None
    max_points: float | None
    comment: str
    graded_at: datetime | None
    submission_id: int | None
    comments: list[TimedCommentOut]
    rubric: list[FilledCriterionOut]
    score_note: str


_ERRORS = error_responses(400, 401, 403, 404)


def _out(comment: TimedComment, viewer_id: int) -> TimedCommentOut:
    return TimedCommentOut(
        id=comment.pk,
        submission_id=comment.submission_id,
        at_seconds=comment.at_seconds,
        text=comment.text,
        author=str(comment.author) if comment.author else "",
        mine=comment.author_id == viewer_id,
        updated_at=comment.updated_at,
    )


_COMMENTS = "/submissions/{submission_id}/comments"


@router.get(_COMMENTS, response={200: list[TimedCommentOut], **_ERRORS})
def list_comments(request: HttpRequest, submission_id: int) -> list[TimedCommentOut]:
    claims = launch_claims(request)
    return [_out(c, claims.user_id) for c in submission_comments(claims, submission_id)]


@router.post(_COMMENTS, response={201: TimedCommentOut, **_ERRORS})
def add_comment(
    request: HttpRequest, submission_id: int, payload: TimedCommentIn
) -> Status[TimedCommentOut]:
    claims = launch_claims(request)
    comment = comment_add(
        claims=claims, submission_id=submission_id, at_seconds=payload.at_seconds, text=payload.text
    )
    return Status(201, _out(comment, claims.user_id))


@router.put("/comments/{comment_id}", response={200: TimedCommentOut, **_ERRORS})
def edit_comment(request: HttpRequest, comment_id: int, payload: TimedCommentIn) -> TimedCommentOut:
    claims = launch_claims(request)
    comment = comment_update(
        claims=claims, comment_id=comment_id, at_seconds=payload.at_seconds, text=payload.text
    )
    return _out(comment, claims.user_id)


@router.delete("/comments/{comment_id}", response={204: None, **_ERRORS})
def delete_comment(request: HttpRequest, comment_id: int) -> Status[None]:
    comment_delete(claims=launch_claims(request), comment_id=comment_id)
    return Status(204, None)


@router.get("/my-feedback", response={200: MyFeedbackOut, **_ERRORS})
def my_feedback(request: HttpRequest) -> MyFeedbackOut:
    """The student's grade, overall comment and time-stamped comments, once released."""
    claims = launch_claims(request)
    found: StudentFeedback = student_feedback(claims)
    return MyFeedbackOut(
        released=found.released,
        held=found.held,
        score=None if found.score is None else float(found.score),
        max_points=None if found.max_points is None else float(found.max_points),
        comment=found.comment,
        graded_at=found.graded_at,
        submission_id=found.submission_id,
        comments=[_out(c, claims.user_id) for c in found.comments],
        rubric=[FilledCriterionOut(**vars(c)) for c in found.rubric],
        score_note=found.score_note,
    )
