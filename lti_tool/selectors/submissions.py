"""Reads, scoped by the launch: nobody sees a row outside their tenant, course and role."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from lti_tool.errors import PermissionDenied, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, Submission, VideoAssignment

_NOT_IN_PROGRESS = (
    Submission.State.DELETED,
    Submission.State.PENDING_UPLOAD,
    Submission.State.READY,
)


def assignment_for_launch(claims: LaunchClaims) -> VideoAssignment:
    # The tenant's storage too: an upload ticket needs it (a lazy SELECT otherwise).
    return VideoAssignment.objects.select_related("course__tenant__storage").get(
        pk=claims.assignment_id, course_id=claims.course_id, course__tenant_id=claims.tenant_id
    )


def visible_submissions(claims: LaunchClaims) -> QuerySet[Submission]:
    """Students see their own submissions to this link; teachers, their course's."""
    related = ("student", "storage", "assignment__course__tenant")
    return _visible(claims, Submission.objects.select_related(*related))


def _visible(claims: LaunchClaims, submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    base = submissions.filter(assignment__course__tenant_id=claims.tenant_id)
    if claims.role == "teacher":
        return base.filter(assignment__course_id=claims.course_id)
    return base.filter(student_id=claims.user_id, assignment_id=claims.assignment_id)


def submission_for_viewer(claims: LaunchClaims, submission_id: int) -> Submission:
    # 404, not 403, for other people's submissions: existence is not disclosed either.
    submission = visible_submissions(claims).filter(pk=submission_id).first()
    if submission is None:
        raise SubmissionNotFound()
    return submission


def submissions_for_grader(claims: LaunchClaims) -> QuerySet[Submission]:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can list the submissions."))
    return (
        visible_submissions(claims)
        .filter(assignment_id=claims.assignment_id, is_current=True)
        .order_by("student__name", "student_id")
    )


def submission_versions(claims: LaunchClaims, submission_id: int) -> list[Submission]:
    """The student's videos for the launched assignment, newest first: the current one and
    the earlier versions it replaced (kept ready), for the teacher's player."""
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can see a student's earlier videos."))
    one = (
        _visible(claims, Submission.objects.all())
        .filter(pk=submission_id, assignment_id=claims.assignment_id)
        .values_list("student_id", flat=True)
        .first()
    )
    if one is None:
        raise SubmissionNotFound()
    versions = Submission.objects.filter(assignment_id=claims.assignment_id, student_id=one).filter(
        Q(is_current=True) | Q(state=Submission.State.READY)
    )
    return list(versions.order_by("-created_at", "-pk"))


def student_submissions(claims: LaunchClaims) -> tuple[Submission | None, Submission | None]:
    """(current, in progress): the one the teacher sees, and a replacement on its way."""
    own = visible_submissions(claims).filter(student_id=claims.user_id)
    current = own.filter(is_current=True).first()
    in_progress = (
        # An upload that never finished is not shown: the next upload supersedes it. A
        # ready one that is not current is an earlier version: the teacher's, not shown.
        own.filter(is_current=False)
        .exclude(state__in=_NOT_IN_PROGRESS)
        .order_by("-created_at")
        .first()
    )
    return current, in_progress


def student_grade(claims: LaunchClaims) -> Grade | None:
    """The grade the teacher gave this student for the launched assignment, once released
    (a held grade waits for the teacher's "Release grades")."""
    return (
        Grade.objects.select_related("assignment")
        .filter(
            assignment_id=claims.assignment_id,
            student_id=claims.user_id,
            assignment__course__tenant_id=claims.tenant_id,
            held=False,
        )
        .first()
    )
