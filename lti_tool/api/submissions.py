"""The submissions of the launched assignment: a student's own, the teacher's list, uploads
and playback links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from lti_tool.api.common import Out, SubmissionState, error_responses, launch_claims
from lti_tool.models import Submission
from lti_tool.selectors.queue import MAX_PAGE_SIZE, PAGE_SIZE
from lti_tool.selectors.submissions import (
    student_grade,
    student_submissions,
    submission_for_viewer,
    submission_versions,
    submissions_for_grader,
)
from lti_tool.services.submissions import (
    submission_confirm_upload,
    submission_playback,
    submission_start_upload,
)
from storage_backends.base import PlaybackKind, UploadProtocol

router = Router(tags=["submissions"])


class StudentOut(Out):
    id: int
    name: str


class SubmissionOut(Out):
    id: int
    state: SubmissionState
    state_label: str
    filename: str
    size_bytes: int | None
    duration_seconds: float | None
    created_at: datetime
    updated_at: datetime
    uploaded_at: datetime | None  # when the upload was confirmed: "Submitted"
    error_message: str
    waiting_for_storage: bool  # see `Submission.waiting_for_storage`
    student: StudentOut


class VersionOut(Out):
    """One of a student's videos for the assignment: the current one or an earlier one."""

    id: int
    created_at: datetime
    filename: str
    duration_seconds: float | None
    state: SubmissionState
    is_current: bool


class MyGradeOut(Out):
    score: float
    max_points: float
    comment: str
    graded_at: datetime


class MySubmissionOut(Out):
    current: SubmissionOut | None
    in_progress: SubmissionOut | None
    grade: MyGradeOut | None = None  # the page polls this: a grade appears without reloading


class UploadIn(Schema):
    filename: str
    size: int
    mime_type: str


class TicketOut(Out):
    protocol: UploadProtocol
    url: str
    headers: dict[str, str]
    fields: dict[str, str]
    upload_ref: str
    expires_at: datetime
    chunk_size: int | None = None  # bytes per tus chunk or S3 part: the storage's choice


class UploadOut(Out):
    submission: SubmissionOut
    ticket: TicketOut


class PlaybackOut(Out):
    kind: PlaybackKind
    url: str
    expires_at: datetime


_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429, 503)


@router.get("/my-submission", response={200: MySubmissionOut, **_ERRORS})
def my_submission(request: HttpRequest) -> dict[str, Any]:
    claims = launch_claims(request)
    current, in_progress = student_submissions(claims)
    grade = student_grade(claims) if claims.role == "student" else None
    return {
        "current": current,
        "in_progress": in_progress,
        "grade": grade
        and {
            "score": grade.score,
            "max_points": grade.assignment.max_points,
            "comment": grade.comment,
            "graded_at": grade.graded_at,
        },
    }


@router.post("/uploads", response={201: UploadOut, **_ERRORS})
def start_upload(request: HttpRequest, payload: UploadIn) -> Status[dict[str, Any]]:
    submission, ticket = submission_start_upload(
        claims=launch_claims(request),
        filename=payload.filename,
        size=payload.size,
        mime=payload.mime_type,
    )
    return Status(201, {"submission": submission, "ticket": ticket})


@router.post("/submissions/{submission_id}/confirm", response={200: SubmissionOut, **_ERRORS})
def confirm_upload(request: HttpRequest, submission_id: int) -> Submission:
    return submission_confirm_upload(claims=launch_claims(request), submission_id=submission_id)


@router.get("/submissions", response={200: list[SubmissionOut], **_ERRORS})
@paginate(PageNumberPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_submissions(request: HttpRequest) -> QuerySet[Submission]:
    """Teachers: the current submissions of the launched assignment, a page at a time in a
    stable order (student name, then id), with `count` for the whole class."""
    return submissions_for_grader(launch_claims(request))


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, **_ERRORS})
def get_submission(request: HttpRequest, submission_id: int) -> Submission:
    return submission_for_viewer(launch_claims(request), submission_id)


@router.get("/submissions/{submission_id}/versions", response={200: list[VersionOut], **_ERRORS})
def versions(request: HttpRequest, submission_id: int) -> list[Submission]:
    """Teachers: the student's current video and the earlier ones it replaced, newest
    first (each can be played through its playback link)."""
    return submission_versions(launch_claims(request), submission_id)


@router.get("/submissions/{submission_id}/playback", response={200: PlaybackOut, **_ERRORS})
def playback(request: HttpRequest, submission_id: int) -> Any:
    return submission_playback(
        claims=launch_claims(request),
        submission_id=submission_id,
        ip_address=request.META.get("REMOTE_ADDR"),
    )
