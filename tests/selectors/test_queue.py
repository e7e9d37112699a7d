"""The grading queue (lti_tool/selectors/queue.py, GET /api/queue): whole-class counts per
filter, stable pages, next/previous, and a fixed number of SQL queries per request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lti_tool.launch_tokens import LaunchClaims, launch_token_issue
from lti_tool.models import ScoreSend, Submission, VideoAssignment
from lti_tool.selectors.queue import grading_queue, queue_neighbour
from tests.factories import (
    GradeFactory,
    LtiUserFactory,
    ScoreSendFactory,
    SubmissionFactory,
    VideoAssignmentFactory,
    teacher_claims,
)

pytestmark = pytest.mark.django_db


def _class(assignment: VideoAssignment, names: list[str], **fields: Any) -> list[Submission]:
    course = assignment.course
    return [
        SubmissionFactory(
            assignment=assignment,
            student=LtiUserFactory(tenant=course.tenant, issuer=course.issuer, name=name),
            is_current=True,
            state=fields.get("state", Submission.State.READY),
            uploaded_at=fields.get("uploaded_at", timezone.now()),
        )
        for name in names
    ]


@pytest.fixture
def assignment() -> VideoAssignment:
    return VideoAssignmentFactory(due_at=timezone.now() + timedelta(days=1), max_points=20)


def test_counts_cover_the_whole_class_and_filters_keep_their_rows(
    assignment: VideoAssignment,
) -> None:
    ada, ben, cy, dee = _class(assignment, ["Ada", "Ben", "Cy", "Dee"])
    (eve,) = _class(assignment, ["Eve"], uploaded_at=timezone.now() + timedelta(days=2))
    (fay,) = _class(assignment, ["Fay"], state=Submission.State.FAILED)
    _class(assignment, ["Gus"], state=Submission.State.PENDING_UPLOAD)  # not handed in
    GradeFactory(submission=ada, score=Decimal(18))
    GradeFactory(submission=ben, score=Decimal(12), held=True)
    GradeFactory(submission=cy, score=Decimal(15))
    ScoreSendFactory(submission=cy, state=ScoreSend.State.FAILED)
    claims = teacher_claims(assignment)

    queue = grading_queue(claims, filter="needs_grading")

    counts = queue.counts
    assert (counts.all, counts.needs_grading, counts.graded) == (6, 2, 3)
    assert (counts.late, counts.failed, counts.held) == (1, 2, 1)
    assert [i.student.name for i in queue.items] == ["Dee", "Eve"]
    assert [i.student.name for i in grading_queue(claims, filter="late").items] == ["Eve"]
    failed = grading_queue(claims, filter="failed").items
    assert [(i.student.name, i.sync_state, i.state) for i in failed] == [
        ("Cy", "failed", "ready"),
        ("Fay", None, "failed"),
    ]
    graded = {i.student.name: (i.score, i.held) for i in grading_queue(claims).items}
    assert graded["Ada"] == (Decimal(18), False) and graded["Ben"] == (Decimal(12), True)
    assert eve.pk and fay.pk and dee.pk


def test_pages_are_stable_and_cover_everyone_once(assignment: VideoAssignment) -> None:
    # Two students share a name: the id breaks the tie, so no row moves between pages.
    _class(assignment, ["Sam", "Sam", "Ann", "Zoe", "Bob", "Sam", "Kim"])
    claims = teacher_claims(assignment)

    pages = [grading_queue(claims, page=n, page_size=3) for n in (1, 2, 3)]

    seen = [item.submission_id for page in pages for item in page.items]
    assert len(seen) == len(set(seen)) == 7
    assert [page.pages for page in pages] == [3, 3, 3]
    names = [item.student.name for page in pages for item in page.items]
    assert names == sorted(names)
    assert grading_queue(claims, page=99, page_size=3).page == 3  # past the end: the last page


def test_next_and_previous_follow_the_order_and_wrap_around(assignment: VideoAssignment) -> None:
    ada, ben, cy = _class(assignment, ["Ada", "Ben", "Cy"])
    GradeFactory(submission=ben, score=Decimal(10))
    claims = teacher_claims(assignment)

    assert queue_neighbour(claims, submission_id=ada.pk, direction="next") == ben.pk
    assert queue_neighbour(claims, submission_id=ada.pk, direction="previous") == cy.pk
    # After saving Ada's grade the next one to grade skips graded Ben.
    nxt = queue_neighbour(claims, submission_id=ada.pk, direction="next", filter="needs_grading")
    assert nxt == cy.pk
    GradeFactory(submission=cy, score=Decimal(10))
    GradeFactory(submission=ada, score=Decimal(10))
    left = queue_neighbour(claims, submission_id=cy.pk, filter="needs_grading", direction="next")
    assert left is None


def test_a_page_of_the_queue_api_takes_a_fixed_number_of_queries(
    assignment: VideoAssignment, django_assert_max_num_queries: Any
) -> None:
    subs = _class(assignment, [f"Student {n:03d}" for n in range(120)])
    for sub in subs[::3]:
        GradeFactory(submission=sub, score=Decimal(10))
        ScoreSendFactory(submission=sub)
    token = launch_token_issue(teacher_claims(assignment))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    with django_assert_max_num_queries(4):  # assignment, counts, page (+ a savepoint at most)
        response = client.get("/api/queue", {"filter": "needs_grading", "page": 2})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"]["all"] == 120 and body["counts"]["needs_grading"] == 80
    assert (body["page"], body["pages"], len(body["items"])) == (2, 2, 30)


def test_students_get_no_queue(assignment: VideoAssignment) -> None:
    claims = teacher_claims(assignment)
    student = LaunchClaims(**{**claims.__dict__, "role": "student"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {launch_token_issue(student)}")

    response = client.get("/api/queue")

    assert response.status_code == 403
    assert "Only teachers" in response.json()["message"]
