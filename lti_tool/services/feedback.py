"""Time-stamped comments: a teacher marks a moment of a student's video with a remark.

Teachers of the launched assignment add them; each teacher edits and deletes only their own.
A change to the comments of a video whose grade is released resends that grade, so the
gradebook's comment (the summary with the `[mm:ss]` lines) stays what the tool shows.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lti_tool.errors import AppError, NotFound, PermissionDenied, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import TimedComment
from lti_tool.selectors.submissions import submission_for_viewer
from lti_tool.services.grades import grade_feedback_changed

MAX_TEXT = 2000


def comment_add(
    *, claims: LaunchClaims, submission_id: int, at_seconds: float, text: str
) -> TimedComment:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can comment on a video."))
    submission = submission_for_viewer(claims, submission_id)
    if submission.assignment_id != claims.assignment_id:
        raise SubmissionNotFound()
    at_seconds, text = _checked(submission.duration_seconds, at_seconds, text)
    with transaction.atomic():
        comment = TimedComment.objects.create(
            submission=submission, author_id=claims.user_id, at_seconds=at_seconds, text=text
        )
        grade_feedback_changed(submission_id=submission.pk)
    return comment


def comment_update(
    *, claims: LaunchClaims, comment_id: int, at_seconds: float, text: str
) -> TimedComment:
    with transaction.atomic():
        comment = _own_comment(claims, comment_id, lock=True)
        comment.at_seconds, comment.text = _checked(
            comment.submission.duration_seconds, at_seconds, text
        )
        comment.save(update_fields=["at_seconds", "text", "updated_at"])
        grade_feedback_changed(submission_id=comment.submission_id)
    return comment


def comment_delete(*, claims: LaunchClaims, comment_id: int) -> None:
    with transaction.atomic():
        comment = _own_comment(claims, comment_id, lock=True)
        comment.delete()
        grade_feedback_changed(submission_id=comment.submission_id)


def _own_comment(claims: LaunchClaims, comment_id: int, *, lock: bool) -> TimedComment:
    rows = TimedComment.objects.select_related("submission").filter(
        pk=comment_id,
        submission__assignment_id=claims.assignment_id,
        submission__assignment__course_id=claims.course_id,
        submission__assignment__course__tenant_id=claims.tenant_id,
    )
    comment = (rows.select_for_update(of=("self",)) if lock else rows).first()
    if comment is None or claims.role != "teacher":
        raise NotFound(_("This comment does not exist or is not yours to see."))
    if comment.author_id != claims.user_id:
        raise PermissionDenied(_("You can only change your own comments."))
    return comment


def _checked(duration: float | None, at_seconds: float, text: str) -> tuple[float, str]:
    text = text.strip()
    if not text:
        raise AppError("empty_comment", _("Write the comment before saving it."))
    if len(text) > MAX_TEXT:
        raise AppError(
            "comment_too_long",
            _("A comment can have at most %(max)s characters.") % {"max": MAX_TEXT},
        )
    # A player may report a moment a little past the length the server measured.
    if at_seconds < 0 or (duration is not None and at_seconds > duration + 1):
        raise AppError("bad_time", _("This moment is not within the video."))
    return round(at_seconds, 2), text
