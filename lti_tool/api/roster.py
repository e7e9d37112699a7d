"""GET /api/roster: the class roster for the teacher page (mounted in lti_tool/api.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router

from lti_tool.api.common import Out, SubmissionState, error_responses, launch_claims
from lti_tool.selectors.roster import Roster, roster_for_assignment

router = Router(tags=["roster"])


class RosterLearnerOut(Out):
    user_id: str
    name: str
    email: str
    status: Literal["submitted", "missing", "late"]
    status_label: str
    past_due: bool
    enrolled: bool = Field(
        description="False: submitted, but no longer a learner in the LMS's class list."
    )
    submission_id: int | None
    submission_state: SubmissionState | None
    submitted_at: datetime | None


class RosterCountsOut(Out):
    enrolled: int
    submitted: int
    missing: int
    late: int
    not_enrolled: int


class RosterOut(Out):
    available: bool
    message: str | None
    fetched_at: datetime | None
    learners: list[RosterLearnerOut]
    counts: RosterCountsOut


@router.get("/roster", response={200: RosterOut, **error_responses(403, 404)})
def roster(request: HttpRequest) -> Roster:
    """The LMS's learners for this link, each with their submission status (teachers only).

    `available` is false, with a message for the teacher, when the LMS does not offer its
    membership service or the call fails; the submissions list does not depend on it.
    """
    return roster_for_assignment(claims=launch_claims(request))
