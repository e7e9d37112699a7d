"""Reads of a teacher's feedback: time-stamped comments on a video, and the plain-text summary
that goes to the LMS gradebook with the score (AGS `comment`).

A student sees the feedback on their submission only once its grade is released: a grade held
by the assignment ("Release grades" not pressed yet) hides its comments too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lti_tool.errors import NotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, TimedComment
from lti_tool.selectors.rubrics import FilledCriterion, rubric_filled
from lti_tool.selectors.submissions import student_submissions, submission_for_viewer

# Gradebooks show the comment in a cell or a pop-up: Moodle keeps long text, Canvas shows
# about a screen. Past this the summary ends with a pointer to the tool's page.
SUMMARY_LIMIT = 4000


def timestamp(seconds: float) -> str:
    """63.4 -> "01:03", 3725 -> "1:02:05" (the `[mm:ss]` of the summary)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def comment_summary(
    overall: str,
    comments: Iterable[TimedComment],
    *,
    rubric: Sequence[FilledCriterion] = (),
    note: str = "",
    limit: int = SUMMARY_LIMIT,
) -> str:
    """The overall comment, the filled rubric and the note on an adjusted score, then one
    `[mm:ss] text` line per time-stamped comment, in video order, cut at whole lines to
    `limit` characters with a note of how many are left out."""
    lines = [overall.strip()] if overall.strip() else []
    if rubric:
        lines.append(
            _("Rubric: %(parts)s")
            % {"parts": "; ".join(f"{c.title} {c.points:g}/{c.max_points:g}" for c in rubric)}
        )
    if note.strip():
        lines.append(_("Score adjusted: %(note)s") % {"note": " ".join(note.split())})
    timed = sorted(comments, key=lambda c: (c.at_seconds, c.pk))
    if timed and lines:
        lines.append("")
    text = "\n".join(lines)
    for index, comment in enumerate(timed):
        line = f"[{timestamp(comment.at_seconds)}] {' '.join(comment.text.split())}"
        left = len(timed) - index
        more = ngettext(
            "(%(count)s more comment on the video in the tool)",
            "(%(count)s more comments on the video in the tool)",
            left,
        ) % {"count": left}
        candidate = f"{text}\n{line}" if text else line
        if len(candidate) + len(more) + 1 > limit and left > 0:
            return f"{text}\n{more}"[:limit] if text else more[:limit]
        text = candidate
    return text[:limit]


def submission_comments(claims: LaunchClaims, submission_id: int) -> list[TimedComment]:
    """The time-stamped comments on a submission: its course's teachers, or its student once
    the grade is released."""
    submission = submission_for_viewer(claims, submission_id)
    if claims.role != "teacher" and not _released(submission.assignment_id, claims.user_id):
        raise NotFound(_("There is no released feedback on this video yet."))
    return list(
        TimedComment.objects.select_related("author")
        .filter(submission=submission)
        .order_by("at_seconds", "pk")
    )


@dataclass(frozen=True)
class StudentFeedback:
    released: bool  # False: a grade is held until the teacher releases it (or none yet)
    held: bool
    score: Decimal | None = None
    max_points: Decimal | None = None
    comment: str = ""
    graded_at: datetime | None = None
    submission_id: int | None = None
    comments: list[TimedComment] = field(default_factory=list)
    rubric: list[FilledCriterion] = field(default_factory=list)
    score_note: str = ""


def student_feedback(claims: LaunchClaims) -> StudentFeedback:
    """The student's own grade and time-stamped comments, if released."""
    grade = (
        Grade.objects.select_related("assignment")
        .filter(assignment_id=claims.assignment_id, student_id=claims.user_id)
        .first()
    )
    if grade is None or grade.held:
        return StudentFeedback(released=False, held=grade is not None)
    current, _in_progress = student_submissions(claims)
    graded_id = grade.submission_id or (current.pk if current else None)
    comments = (
        list(TimedComment.objects.filter(submission_id=graded_id).order_by("at_seconds", "pk"))
        if graded_id
        else []
    )
    return StudentFeedback(
        released=True,
        held=False,
        score=grade.score,
        max_points=grade.assignment.max_points,
        comment=grade.comment,
        graded_at=grade.graded_at,
        submission_id=graded_id,
        comments=comments,
        rubric=rubric_filled(grade.assignment.rubric, grade.rubric_levels),
        score_note=grade.score_note,
    )


def _released(assignment_id: int, student_id: int) -> bool:
    return Grade.objects.filter(
        assignment_id=assignment_id, student_id=student_id, held=False
    ).exists()
