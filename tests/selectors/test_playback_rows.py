"""What a playback link reads and writes with (`playback_rows_write`: one statement on
PostgreSQL, two on SQLite) finds the submission `submission_for_viewer` finds, with its
storage, and writes the event row the ORM would, only for a video ready to play."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from lti_tool.errors import SubmissionNotFound
from lti_tool.models import Submission, VideoEvent
from lti_tool.selectors.hot_paths import submission_to_play
from lti_tool.selectors.submissions import submission_for_viewer
from lti_tool.services.playback_rows import playback_rows_write
from tests.factories import (
    StorageConfigFactory,
    SubmissionFactory,
    student_claims,
    teacher_claims,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["site default", "tenant's storage"])
def ready(request: pytest.FixtureRequest) -> Submission:
    submission = SubmissionFactory(state="ready", is_current=True, video_id="v-1")
    if request.param == "tenant's storage":
        tenant = submission.assignment.course.tenant
        submission.storage = StorageConfigFactory(tenant=tenant, options={"root": "/srv/v"})
        submission.save()
    return submission  # type: ignore[no-any-return]


def stored(row: Model | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_finds_what_the_orm_finds_and_writes_the_event(ready: Submission, role: str) -> None:
    claims = student_claims(ready) if role == "student" else teacher_claims(ready.assignment)
    expected = submission_for_viewer(claims, ready.pk)

    target, event, event_id = playback_rows_write(claims=claims, submission_id=ready.pk)

    assert (target.submission_id, target.tenant_id, target.state, target.video_id) == (
        expected.pk,
        expected.assignment.course.tenant_id,
        "ready",
        "v-1",
    )
    assert stored(target.storage) == stored(expected.storage)
    assert target == submission_to_play(claims, ready.pk)  # SQLite's read, and the tasks'
    written = VideoEvent.objects.get()
    assert written.pk == event_id
    assert (written.kind, written.tenant_id, written.submission_id, written.user_id) == (
        "playback",
        event.tenant_id,
        ready.pk,
        claims.user_id,
    )
    assert written.details == {"role": role}
    assert abs(written.created_at - timezone.now()) < timedelta(seconds=5)


@pytest.mark.parametrize("state", ["pending_upload", "processing", "failed", "deleted"])
def test_a_video_not_ready_is_found_and_nothing_is_written(state: str) -> None:
    submission = SubmissionFactory(state=state)

    target, _, event_id = playback_rows_write(
        claims=student_claims(submission), submission_id=submission.pk
    )

    assert (target.submission_id, target.state, event_id) == (submission.pk, state, None)
    assert not VideoEvent.objects.exists()


def test_what_the_viewer_may_not_see_is_not_found_and_nothing_is_written(
    ready: Submission,
) -> None:
    mine = student_claims(ready)
    classmate = SubmissionFactory(assignment=ready.assignment, state="ready")
    other_course = SubmissionFactory(state="ready")
    cases = [
        (replace(mine, user_id=classmate.student_id), ready.pk),  # a classmate's video
        (mine, classmate.pk),
        (replace(mine, assignment_id=other_course.assignment_id), ready.pk),  # another link
        (teacher_claims(other_course.assignment), ready.pk),  # another course's teacher
        (replace(teacher_claims(ready.assignment), tenant_id=mine.tenant_id + 1), ready.pk),
        (mine, ready.pk + 1000),  # no such submission
    ]
    for claims, submission_id in cases:
        with pytest.raises(SubmissionNotFound):
            submission_for_viewer(claims, submission_id)
        with pytest.raises(SubmissionNotFound):
            playback_rows_write(claims=claims, submission_id=submission_id)
    assert not VideoEvent.objects.exists()
