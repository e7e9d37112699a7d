"""Grades and the outbox of scores on their way to the LMS gradebook (LTI AGS).

A grade belongs to (assignment, student), like the one cell of the LMS gradebook it fills:
it survives a resubmission (the teacher sees which video was graded) and needs no change
to the Submission rows. Every score to send is a `ScoreSend` row written in the same
transaction as the change it reports, so a grade is never lost while the LMS is down.
"""

from __future__ import annotations

from django.db import models

from lti_tool.models.courses import LtiUser, VideoAssignment
from lti_tool.models.submissions import Submission


class Grade(models.Model):
    assignment = models.ForeignKey(VideoAssignment, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="grades")
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The video the teacher was watching when they saved the grade.",
    )
    score = models.DecimalField(max_digits=8, decimal_places=2)
    comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        LtiUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField()
    rubric_levels = models.JSONField(
        default=list,
        blank=True,
        help_text="With a rubric: the chosen level's index for each criterion, in order.",
    )
    score_note = models.TextField(
        blank=True, help_text="Why the score differs from the rubric's total (the student sees it)."
    )
    held = models.BooleanField(
        default=False,
        help_text="Saved while the assignment holds grades: not yet shown to the student or "
        "sent to the LMS.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_grade_per_student")
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.score}"


class ScoreSend(models.Model):
    """One score for the LMS, sent by a worker with retries. The newest row of a student
    supersedes older unsent ones: the gradebook must end with the latest state."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted, waiting for grading"
        GRADED = "graded", "Graded"
        RESET = "reset", "Submission deleted: score cleared"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"
        SUPERSEDED = "superseded", "Replaced by a newer score"

    assignment = models.ForeignKey(
        VideoAssignment, on_delete=models.CASCADE, related_name="score_sends"
    )
    student = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    payload = models.JSONField(help_text="The AGS score body, timestamped when it was made.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField(
        help_text="Transient failures are retried until then; a resend starts a new window."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker took the row to send it (state sending); a claim older "
        "than the timeout is a crashed worker's, and the sweep sets the row pending again.",
    )
    claimed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="The Celery worker that claimed the row: when it starts again after a "
        "crash, it gives its claims back at once (seconds, not the timeout).",
    )

    class Meta:
        indexes = [
            models.Index(fields=["assignment", "student", "-created_at"]),
            models.Index(fields=["state", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} score for {self.student} ({self.state})"


class TimedComment(models.Model):
    """A teacher's comment at one moment of a submitted video ("At 0:03 the audio drops")."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="timed_comments"
    )
    author = models.ForeignKey(LtiUser, null=True, on_delete=models.SET_NULL, related_name="+")
    at_seconds = models.FloatField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["submission", "at_seconds"])]

    def __str__(self) -> str:
        return f"{self.at_seconds:.1f}s: {self.text[:40]}"
