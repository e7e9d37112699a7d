"""GET /api/submissions a page at a time: a stable order across pages, the whole class
counted, the page size capped, and the same few SQL queries for any class size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lti_tool.launch_tokens import launch_token_issue
from lti_tool.models import VideoAssignment
from lti_tool.selectors.queue import MAX_PAGE_SIZE
from tests.factories import (
    LtiUserFactory,
    SubmissionFactory,
    VideoAssignmentFactory,
    teacher_claims,
)

pytestmark = pytest.mark.django_db


def _teacher_auth(assignment: VideoAssignment) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {launch_token_issue(teacher_claims(assignment))}"}


def _class(assignment: VideoAssignment, names: list[str]) -> None:
    course = assignment.course
    for name in names:
        student = LtiUserFactory(tenant=course.tenant, issuer=course.issuer, name=name)
        SubmissionFactory(assignment=assignment, student=student, is_current=True, state="ready")


def test_pages_walk_the_class_once_in_name_order(client: Client) -> None:
    assignment = VideoAssignmentFactory()
    # Two students share a name: their order is settled by id, the same on every page.
    names = ["Zoe", "Ann", "Bob", "Ann", "Carl", "Dee", "Eve"]
    _class(assignment, names)
    auth = _teacher_auth(assignment)

    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/submissions?page={page}&page_size=3", **auth).json()
        assert body["count"] == 7  # the whole class, on every page
        seen += [(row["student"]["name"], row["student"]["id"]) for row in body["items"]]

    assert [name for name, _ in seen] == sorted(names)
    assert len(set(seen)) == 7  # nobody twice, nobody missing
    ann_ids = [student_id for name, student_id in seen if name == "Ann"]
    assert ann_ids == sorted(ann_ids)


def test_a_page_is_capped_and_costs_the_same_queries_for_any_class(client: Client) -> None:
    small, large = VideoAssignmentFactory(), VideoAssignmentFactory()
    _class(small, ["A", "B"])
    _class(large, [f"Student {n:03}" for n in range(MAX_PAGE_SIZE + 20)])

    counts = []
    for assignment in (small, large):
        auth = _teacher_auth(assignment)
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/submissions?page_size=100000", **auth).json()
        counts.append(len(queries))
        assert len(body["items"]) == min(body["count"], MAX_PAGE_SIZE)

    assert counts[0] == counts[1] == 2  # the page (with students and storage), the count
