"""Reads for the grading panel: a student's grade and where its score is on the way to the LMS.

Scoped like `lti_tool.selectors.submissions`: teachers of the launched course and assignment only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from lti_tool.errors import AppError, PermissionDenied, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, LtiUser, ScoreSend, Submission, VideoAssignment
from lti_tool.selectors.submissions import submission_for_viewer, submissions_for_grader

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
State = ScoreSend.State


@dataclass(frozen=True)
class GradeSync:
    state: str  # "none", "unavailable", "pending", "sent" or "failed"
    message: str
    error: str
    attempts: int
    sent_at: datetime | None
    can_resend: bool


@dataclass(frozen=True)
class GradeState:
    submission_id: int
    student_id: int
    score: Decimal | None
    comment: str
    graded_at: datetime | None
    graded_by: str
    graded_submission_id: int | None
    max_points: Decimal
    sync: GradeSync
    held: bool = False  # saved, not yet released to the student and the LMS
    rubric_levels: list[int] = field(default_factory=list)
    score_note: str = ""


def grade_state(claims: LaunchClaims, submission_id: int) -> GradeState:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can see grades."))
    submission = submission_for_viewer(claims, submission_id)
    if submission.assignment_id != claims.assignment_id:
        raise SubmissionNotFound()
    return grade_states_for(submission.assignment, [submission])[0]


def grade_states(claims: LaunchClaims) -> list[GradeState]:
    """One per current submission of the launched assignment, as the teacher lists them."""
    submissions = list(submissions_for_grader(claims))
    if not submissions:
        return []
    return grade_states_for(submissions[0].assignment, submissions)


def grade_states_for(
    assignment: VideoAssignment, submissions: list[Submission]
) -> list[GradeState]:
    students = [s.student_id for s in submissions]
    grades = {
        g.student_id: g
        for g in Grade.objects.select_related("graded_by").filter(
            assignment=assignment, student_id__in=students
        )
    }
    latest: dict[int, ScoreSend] = {}
    for row in ScoreSend.objects.filter(assignment=assignment, student_id__in=students).order_by(
        "created_at", "pk"
    ):
        latest[row.student_id] = row
    connected = assignment.has_gradebook
    return [
        _state(s, assignment, grades.get(s.student_id), latest.get(s.student_id), connected)
        for s in submissions
    ]


def _state(
    submission: Submission,
    assignment: VideoAssignment,
    grade: Grade | None,
    row: ScoreSend | None,
    connected: bool,
) -> GradeState:
    return GradeState(
        submission_id=submission.pk,
        student_id=submission.student_id,
        score=grade.score if grade else None,
        comment=grade.comment if grade else "",
        graded_at=grade.graded_at if grade else None,
        graded_by=str(grade.graded_by) if grade and grade.graded_by else "",
        graded_submission_id=grade.submission_id if grade else None,
        max_points=assignment.max_points,
        sync=_sync(row, connected),
        held=grade.held if grade else False,
        rubric_levels=list(grade.rubric_levels) if grade else [],
        score_note=grade.score_note if grade else "",
    )


def _sync(row: ScoreSend | None, connected: bool) -> GradeSync:
    if row is None:
        state, message = (
            ("none", _("Nothing sent to the LMS gradebook yet."))
            if connected
            else (
                "unavailable",
                _("Saved here only: the LMS did not connect this link to its gradebook."),
            )
        )
        return GradeSync(state, message, "", 0, None, can_resend=False)
    # A row being sent (claimed by a worker) reads as the pending row it was before the
    # claim: the attempt in flight is not counted until its outcome is recorded.
    state = State.PENDING if row.state == State.SENDING else State(row.state)
    attempts = row.attempts - 1 if row.state == State.SENDING else row.attempts
    retrying = state == State.PENDING and attempts > 0
    if row.state == State.SENT:
        message = (
            _("Sent to the LMS gradebook.")
            if row.kind == ScoreSend.Kind.GRADED
            else _("The LMS gradebook knows the video awaits grading.")
        )
    elif row.state == State.FAILED:
        message = _("Not sent to the LMS gradebook: %(reason)s") % {"reason": row.last_error}
    elif retrying:
        message = _("Not sent yet: %(reason)s Retrying automatically (attempt %(attempt)s).") % {
            "reason": row.last_error,
            "attempt": attempts,
        }
    else:
        message = _("Waiting to be sent to the LMS gradebook.")
    return GradeSync(
        state=str(state),
        message=message,
        error=row.last_error,
        attempts=attempts,
        sent_at=row.sent_at,
        can_resend=row.state == State.FAILED or retrying,
    )


@dataclass(frozen=True)
class ReviewTarget:
    """Whose submission a Submission Review launch asks to open."""

    student_name: str
    submission_id: int | None  # None: the student has no current submission


def review_target(
    *, role: str, user: LtiUser, assignment: VideoAssignment, body: dict[str, Any]
) -> ReviewTarget | None:
    """Teachers get the `for_user` student's current submission; students only their own,
    on their own page (None)."""
    for_user = body.get(CLAIM + "for_user")
    user_id = for_user.get("user_id") if isinstance(for_user, dict) else None
    if not isinstance(user_id, str) or not user_id:
        raise AppError("no_for_user", _("This review launch does not say whose work to open."))
    assert isinstance(for_user, dict)  # the user_id above came from it
    if role != "teacher":
        if user_id != user.sub:
            raise PermissionDenied(_("You can only review your own submission."))
        return None
    student = LtiUser.objects.filter(
        tenant_id=assignment.course.tenant_id, issuer=user.issuer, sub=user_id
    ).first()
    submission = (
        Submission.objects.filter(assignment=assignment, student=student, is_current=True)
        .values_list("pk", flat=True)
        .first()
        if student
        else None
    )
    name = (student.name if student else "") or _for_user_name(for_user) or "This student"
    return ReviewTarget(student_name=name, submission_id=submission)


def _for_user_name(for_user: dict[str, Any]) -> str:
    parts = (for_user.get("given_name"), for_user.get("family_name"))
    return str(for_user.get("name") or " ".join(p for p in parts if isinstance(p, str)))
