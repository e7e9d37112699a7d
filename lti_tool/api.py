"""The JSON API the launch pages call, authenticated by the launch token (Bearer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from lti_tool.api_common import error_responses, launch_claims
from lti_tool.errors import AppError, TooManyRequests
from lti_tool.launch_tokens import InvalidLaunchToken, LaunchClaims, launch_token_read
from lti_tool.models import Submission
from lti_tool.selectors import student_submissions, submission_for_viewer, submissions_for_grader
from lti_tool.services.submissions import (
    submission_confirm_upload,
    submission_playback,
    submission_start_upload,
)


class LaunchTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> LaunchClaims | None:
        try:
            return launch_token_read(token)
        except InvalidLaunchToken:
            return None


api = NinjaAPI(
    title="Video assignments API",
    version="1",
    auth=LaunchTokenAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


class StudentOut(Schema):
    id: int
    name: str


class SubmissionOut(Schema):
    id: int
    state: str
    state_label: str
    filename: str
    size_bytes: int | None
    duration_seconds: float | None
    created_at: datetime
    updated_at: datetime
    error_message: str
    student: StudentOut

    @staticmethod
    def resolve_state_label(obj: Submission) -> str:
        return str(obj.get_state_display())


class MySubmissionOut(Schema):
    current: SubmissionOut | None
    in_progress: SubmissionOut | None


class UploadIn(Schema):
    filename: str
    size: int
    mime_type: str


class TicketOut(Schema):
    protocol: str
    url: str
    headers: dict[str, str]
    fields: dict[str, str]
    upload_ref: str
    expires_at: datetime
    chunk_size: int | None = None  # bytes per tus chunk or S3 part: the storage's choice


class UploadOut(Schema):
    submission: SubmissionOut
    ticket: TicketOut


class PlaybackOut(Schema):
    kind: str
    url: str
    expires_at: datetime


@api.exception_handler(AppError)
def app_error(request: HttpRequest, exc: AppError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def launch_expired(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = {
        "code": "launch_expired",
        "message": "Your session has expired. Please reopen the assignment from your course.",
    }
    return api.create_response(request, body, status=401)


@api.exception_handler(ValidationError)
def bad_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = ", ".join(str(error["loc"][-1]) for error in exc.errors)
    body = {"code": "bad_request", "message": f"The request is missing or has bad: {fields}."}
    return api.create_response(request, body, status=400)


@api.exception_handler(Submission.DoesNotExist)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = {"code": "not_found", "message": "Not found."}
    return api.create_response(request, body, status=404)


_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429, 503)


@api.get("/my-submission", response={200: MySubmissionOut, **_ERRORS})
def my_submission(request: HttpRequest) -> dict[str, Submission | None]:
    current, in_progress = student_submissions(launch_claims(request))
    return {"current": current, "in_progress": in_progress}


@api.post("/uploads", response={201: UploadOut, **_ERRORS})
def start_upload(request: HttpRequest, payload: UploadIn) -> Status[dict[str, Any]]:
    submission, ticket = submission_start_upload(
        claims=launch_claims(request), filename=payload.filename, size=payload.size,
        mime=payload.mime_type,
    )
    return Status(201, {"submission": submission, "ticket": ticket})


@api.post("/submissions/{submission_id}/confirm", response={200: SubmissionOut, **_ERRORS})
def confirm_upload(request: HttpRequest, submission_id: int) -> Submission:
    return submission_confirm_upload(claims=launch_claims(request), submission_id=submission_id)


@api.get("/submissions", response={200: list[SubmissionOut], **_ERRORS})
def list_submissions(request: HttpRequest) -> list[Submission]:
    return list(submissions_for_grader(launch_claims(request)))


@api.get("/submissions/{submission_id}", response={200: SubmissionOut, **_ERRORS})
def get_submission(request: HttpRequest, submission_id: int) -> Submission:
    return submission_for_viewer(launch_claims(request), submission_id)


@api.get("/submissions/{submission_id}/playback", response={200: PlaybackOut, **_ERRORS})
def playback(request: HttpRequest, submission_id: int) -> Any:
    return submission_playback(
        claims=launch_claims(request), submission_id=submission_id,
        ip_address=request.META.get("REMOTE_ADDR"),
    )


# Routers of the other areas, mounted on the same API and auth.
api.add_router("/", "lti_tool.api_uploads.router")  # S3 multipart signing
api.add_router("/", "lti_tool.api_roster.router")  # GET /roster
api.add_router("/", "lti_tool.api_grades.router")  # grades and their sync to the LMS
