"""Time-stamped comments (lti_tool/services/feedback.py) and the gradebook summary
(lti_tool/selectors/feedback.py): who may write what, and a summary of bounded length."""

from __future__ import annotations

import pytest

from lti_tool.errors import AppError, NotFound, PermissionDenied
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission, TimedComment
from lti_tool.selectors.feedback import comment_summary, submission_comments, timestamp
from lti_tool.services.feedback import comment_add, comment_delete, comment_update
from tests.factories import GradeFactory, LtiUserFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def _claims(submission: Submission, role: str, user_id: int | None = None) -> LaunchClaims:
    course = submission.assignment.course
    if user_id is None:
        user_id = LtiUserFactory(tenant=course.tenant, issuer=course.issuer).pk
    return LaunchClaims(
        tenant_id=course.tenant_id,
        user_id=user_id,
        course_id=course.pk,
        assignment_id=submission.assignment_id,
        role=role,  # type: ignore[arg-type]
    )


@pytest.fixture
def submission() -> Submission:
    return SubmissionFactory(state=Submission.State.READY, is_current=True, duration_seconds=30)


def test_a_teacher_comments_edits_and_deletes_only_their_own(submission: Submission) -> None:
    dana, other = _claims(submission, "teacher"), _claims(submission, "teacher")
    comment = comment_add(claims=dana, submission_id=submission.pk, at_seconds=3.04, text=" Hi ")

    assert (comment.at_seconds, comment.text) == (3.04, "Hi")
    with pytest.raises(PermissionDenied):
        comment_update(claims=other, comment_id=comment.pk, at_seconds=4, text="Mine now")
    with pytest.raises(PermissionDenied):
        comment_delete(claims=other, comment_id=comment.pk)
    comment_update(claims=dana, comment_id=comment.pk, at_seconds=4, text="Later")
    assert TimedComment.objects.get().text == "Later"
    comment_delete(claims=dana, comment_id=comment.pk)
    assert not TimedComment.objects.exists()


@pytest.mark.parametrize(
    ("at", "text", "code"),
    [(31.5, "Past the end", "bad_time"), (-1, "Before", "bad_time"), (2, "   ", "empty_comment")],
)
def test_a_bad_comment_is_refused_and_nothing_is_written(
    submission: Submission, at: float, text: str, code: str
) -> None:
    with pytest.raises(AppError) as refused:
        comment_add(
            claims=_claims(submission, "teacher"),
            submission_id=submission.pk,
            at_seconds=at,
            text=text,
        )

    assert refused.value.code == code
    assert not TimedComment.objects.exists()


def test_students_cannot_comment_and_read_comments_only_once_released(
    submission: Submission,
) -> None:
    student = _claims(submission, "student", user_id=submission.student_id)
    comment_add(
        claims=_claims(submission, "teacher"), submission_id=submission.pk, at_seconds=1, text="A"
    )
    with pytest.raises(PermissionDenied):
        comment_add(claims=student, submission_id=submission.pk, at_seconds=1, text="Me")
    with pytest.raises(NotFound):
        submission_comments(student, submission.pk)  # no grade yet

    grade = GradeFactory(submission=submission, held=True)
    with pytest.raises(NotFound):
        submission_comments(student, submission.pk)  # held
    grade.held = False
    grade.save()
    assert [c.text for c in submission_comments(student, submission.pk)] == ["A"]


def test_the_summary_lists_the_comments_in_video_order_within_the_limit() -> None:
    comments = [TimedComment(pk=n, at_seconds=600 - n * 7, text=f"Note {n}") for n in range(80)]

    summary = comment_summary("Overall.", comments, limit=300)

    assert len(summary) <= 300
    lines = summary.splitlines()
    assert lines[:3] == ["Overall.", "", "[00:47] Note 79"]
    assert lines[-1].startswith("(") and "more comments on the video in the tool" in lines[-1]
    shown = len(lines) - 3  # the overall comment, a blank line, the note
    assert lines[-1] == f"({80 - shown} more comments on the video in the tool)"
    assert timestamp(3725) == "1:02:05"
