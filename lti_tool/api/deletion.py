"""Deleting a video from the launch pages: a teacher's deletion (reason, confirmed), a
student's withdrawal, and when each video of the assignment will expire (retention)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from lti_tool.api.common import Out, error_responses, launch_claims
from lti_tool.api.submissions import SubmissionOut
from lti_tool.models import Submission
from lti_tool.selectors.retention import expiry_for_launch
from lti_tool.services.deletion import submission_delete_as_teacher, submission_withdraw

router = Router(tags=["deletion"])
_ERRORS = error_responses(400, 401, 403, 404, 409)


class DeleteIn(Schema):
    reason: str
    confirm: bool = False


class ExpiryOut(Out):
    submission_id: int
    expires_at: datetime | None  # null: the tenant keeps videos


@router.post("/submissions/{submission_id}/delete", response={200: SubmissionOut, **_ERRORS})
def delete_submission(request: HttpRequest, submission_id: int, payload: DeleteIn) -> Submission:
    return submission_delete_as_teacher(
        claims=launch_claims(request),
        submission_id=submission_id,
        reason=payload.reason,
        confirmed=payload.confirm,
    )


@router.post("/submissions/{submission_id}/withdraw", response={200: SubmissionOut, **_ERRORS})
def withdraw_submission(request: HttpRequest, submission_id: int) -> Submission:
    return submission_withdraw(claims=launch_claims(request), submission_id=submission_id)


@router.get("/retention", response={200: list[ExpiryOut], **_ERRORS})
def retention(request: HttpRequest) -> list[dict[str, object]]:
    """When each visible video of this assignment will be deleted by retention."""
    return [
        {"submission_id": pk, "expires_at": expires_at}
        for pk, expires_at in expiry_for_launch(launch_claims(request))
    ]
