"""Grades: the teacher saves them here at once (with the rubric's levels, held until
released where the assignment holds grades), and each change the gradebook must follow
(saved, released, rescaled, its comments edited) becomes a score for the LMS, sent by the
outbox in `lti_tool.services.score_sends`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lti_tool.errors import AppError, PermissionDenied, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, ScoreSend, Submission, TimedComment, VideoAssignment
from lti_tool.selectors.feedback import comment_summary
from lti_tool.selectors.rubrics import rubric_filled, rubric_total
from lti_tool.selectors.submissions import submission_for_viewer
from lti_tool.services.score_sends import (
    State,
    score_send_create,
    score_send_requeue,
    score_timestamp,
)

logger = logging.getLogger(__name__)


def grade_save(
    *,
    claims: LaunchClaims,
    submission_id: int,
    score: Decimal,
    comment: str,
    rubric_levels: list[int] | None = None,
    score_note: str = "",
) -> Grade:
    """Save the teacher's grade; send it to the LMS at once, or hold it if the assignment
    holds grades until they are released. With the assignment's rubric, the chosen levels
    give the score; a different score needs a note saying why (the student sees it)."""
    submission = _gradable_submission(claims, submission_id)
    assignment = submission.assignment
    if not Decimal(0) <= score <= assignment.max_points:
        raise AppError(
            "bad_score",
            _("The score must be between 0 and %(max)s.")
            % {"max": f"{assignment.max_points.normalize():f}"},
        )
    levels, score_note = _rubric_checked(assignment, score, rubric_levels, score_note)
    now = timezone.now()
    with transaction.atomic():
        grade, _created = Grade.objects.update_or_create(
            assignment=assignment,
            student=submission.student,
            defaults={
                "score": score,
                "comment": comment,
                "submission": submission,
                "graded_by_id": claims.user_id,
                "graded_at": now,
                "held": assignment.hold_grades,
                "rubric_levels": levels,
                "score_note": score_note,
            },
        )
        if not grade.held:
            _grade_sends_create(assignment, [grade])
    logger.info(
        "grade saved assignment=%s student=%s by=%s held=%s",
        assignment.pk,
        submission.student_id,
        claims.user_id,
        grade.held,
    )
    return grade


def _rubric_checked(
    assignment: VideoAssignment, score: Decimal, levels: list[int] | None, note: str
) -> tuple[list[int], str]:
    if not assignment.rubric or levels is None:
        return [], note.strip() if assignment.rubric else ""
    total = rubric_total(assignment.rubric, levels)
    if score == total:
        return levels, ""
    if not note.strip():
        raise AppError(
            "score_note_needed",
            _("Say why the score differs from the rubric's total (%(total)s).")
            % {"total": f"{total.normalize():f}"},
        )
    return levels, note.strip()[:2000]


def grades_release(*, claims: LaunchClaims) -> int:
    """ "Release grades": every held grade of the assignment goes to its student and the LMS.
    Each is sent once: the rows are locked and unheld in the transaction that queues them."""
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can release grades."))
    with transaction.atomic():
        assignment = VideoAssignment.objects.select_for_update().get(
            pk=claims.assignment_id, course_id=claims.course_id, course__tenant_id=claims.tenant_id
        )
        grades = list(
            Grade.objects.select_for_update(of=("self",))
            .select_related("student")
            .filter(assignment=assignment, held=True)
        )
        Grade.objects.filter(pk__in=[g.pk for g in grades]).update(held=False)
        _grade_sends_create(assignment, grades)
    logger.info("grades released assignment=%s count=%s", assignment.pk, len(grades))
    return len(grades)


def grade_feedback_changed(*, submission_id: int) -> None:
    """A time-stamped comment on this video changed: resend its released grade, so the
    gradebook's comment follows. Call inside the transaction that changed the comment."""
    grade = (
        Grade.objects.select_for_update(of=("self",))
        .select_related("student", "assignment")
        .filter(submission_id=submission_id, held=False)
        .first()
    )
    if grade is not None:
        _grade_sends_create(grade.assignment, [grade])


def grades_rescale(*, assignment: VideoAssignment, old_max: Decimal, rescale: bool) -> int:
    """The maximum points changed: rescale every grade (18/20 -> 22.5/25) or keep the points
    (capped at the new maximum), then resend the released ones so the gradebook agrees.
    Call inside the transaction that saves the assignment."""
    new_max = assignment.max_points
    grades = list(
        Grade.objects.select_for_update(of=("self",))
        .select_related("student")
        .filter(assignment=assignment)
    )
    for grade in grades:
        score = grade.score * new_max / old_max if rescale else grade.score
        grade.score = min(score, new_max).quantize(Decimal("0.01"))
    Grade.objects.bulk_update(grades, ["score"])
    released = [g for g in grades if not g.held]
    _grade_sends_create(assignment, released)
    logger.info(
        "max points %s -> %s assignment=%s rescale=%s resent=%s",
        old_max,
        new_max,
        assignment.pk,
        rescale,
        len(released),
    )
    return len(released)


def _grade_sends_create(assignment: VideoAssignment, grades: list[Grade]) -> None:
    """One GRADED score per grade, its comment the summary with the time-stamped comments."""
    if not grades or not assignment.has_gradebook:
        return
    comments: dict[int, list[TimedComment]] = defaultdict(list)
    for row in TimedComment.objects.filter(submission_id__in={g.submission_id for g in grades}):
        comments[row.submission_id].append(row)
    now = timezone.now()
    for grade in grades:
        score_send_create(
            assignment=assignment,
            student_id=grade.student_id,
            submission_id=grade.submission_id,
            kind=ScoreSend.Kind.GRADED,
            payload={
                "userId": grade.student.sub,
                "scoreGiven": float(grade.score),
                "scoreMaximum": float(assignment.max_points),
                "comment": comment_summary(
                    grade.comment,
                    comments.get(grade.submission_id or 0, []),
                    rubric=rubric_filled(assignment.rubric, grade.rubric_levels),
                    note=grade.score_note,
                ),
                "timestamp": score_timestamp(now),
                "activityProgress": "Completed",
                "gradingProgress": "FullyGraded",
            },
        )


def score_resend(*, claims: LaunchClaims, submission_id: int) -> ScoreSend:
    """Try the student's latest unsent score again, with a new retry window."""
    submission = _gradable_submission(claims, submission_id)
    with transaction.atomic():
        latest = (
            ScoreSend.objects.select_for_update()
            .filter(assignment_id=submission.assignment_id, student_id=submission.student_id)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.state not in (State.FAILED, State.PENDING):
            raise AppError(
                "nothing_to_resend", _("There is no unsent score for this student."), status=409
            )
        score_send_requeue(latest)
    return latest


def _gradable_submission(claims: LaunchClaims, submission_id: int) -> Submission:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can grade."))
    submission = submission_for_viewer(claims, submission_id)
    if submission.assignment_id != claims.assignment_id:
        raise SubmissionNotFound()
    return submission
