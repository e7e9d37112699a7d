"""Reads, scoped by the launch: nobody sees a row outside their tenant, course and role."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lti_tool.errors import NotFound, PermissionDenied
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, Submission, VideoAssignment


def assignment_for_launch(claims: LaunchClaims) -> VideoAssignment:
    return VideoAssignment.objects.select_related("course__tenant").get(
        pk=claims.assignment_id, course_id=claims.course_id, course__tenant_id=claims.tenant_id
    )


def visible_submissions(claims: LaunchClaims) -> QuerySet[Submission]:
    """Students see their own submissions to this link; teachers, their course's."""
    base = Submission.objects.select_related(
        "student", "storage", "assignment__course__tenant"
    ).filter(assignment__course__tenant_id=claims.tenant_id)
    if claims.role == "teacher":
        return base.filter(assignment__course_id=claims.course_id)
    return base.filter(student_id=claims.user_id, assignment_id=claims.assignment_id)


def submission_for_viewer(claims: LaunchClaims, submission_id: int) -> Submission:
    # 404, not 403, for other people's submissions: existence is not disclosed either.
    submission = visible_submissions(claims).filter(pk=submission_id).first()
    if submission is None:
        raise NotFound(_("This submission does not exist or is not yours to see."))
    return submission


def submissions_for_grader(claims: LaunchClaims) -> QuerySet[Submission]:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can list the submissions."))
    return (
        visible_submissions(claims)
        .filter(assignment_id=claims.assignment_id, is_current=True)
        .order_by("student__name", "student_id")
    )


def student_submissions(claims: LaunchClaims) -> tuple[Submission | None, Submission | None]:
    """(current, in progress): the one the teacher sees, and a replacement on its way."""
    own = visible_submissions(claims).filter(student_id=claims.user_id)
    current = own.filter(is_current=True).first()
    in_progress = (
        # An upload that never finished is not shown: the next upload supersedes it.
        own.filter(is_current=False)
        .exclude(state__in=[Submission.State.DELETED, Submission.State.PENDING_UPLOAD])
        .order_by("-created_at")
        .first()
    )
    return current, in_progress


def student_grade(claims: LaunchClaims) -> Grade | None:
    """The grade the teacher gave this student for the launched assignment, if any."""
    return (
        Grade.objects.select_related("assignment")
        .filter(
            assignment_id=claims.assignment_id,
            student_id=claims.user_id,
            assignment__course__tenant_id=claims.tenant_id,
        )
        .first()
    )
