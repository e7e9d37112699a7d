"""The one statement a ticket reads with (`assignment_for_upload`) finds what the ORM finds:
the assignment with its tenant, the student's name, and whether an upload of theirs to the
assignment is unfinished; on PostgreSQL it also reserves the new row's id."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection

from lti_tool.errors import NotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission, VideoAssignment
from lti_tool.selectors.hot_paths import assignment_for_upload
from tests.factories import SubmissionFactory, VideoAssignmentFactory, student_claims

pytestmark = pytest.mark.django_db


def unfinished_by_orm(claims: LaunchClaims) -> bool:
    return Submission.objects.filter(
        assignment_id=claims.assignment_id,
        student_id=claims.user_id,
        is_current=False,
        state=Submission.State.PENDING_UPLOAD,
    ).exists()


def test_reads_what_the_orm_reads() -> None:
    submission = SubmissionFactory(
        assignment__max_size_bytes=1000, assignment__allow_resubmission=False
    )
    claims = student_claims(submission)

    target = assignment_for_upload(claims)
    assignment, student = target.assignment, target.student

    stored = VideoAssignment.objects.select_related("course__tenant").get()
    assert (assignment.pk, assignment.max_size_bytes, assignment.allow_resubmission) == (
        stored.pk,
        1000,
        False,
    )
    assert assignment.course.tenant.limits == stored.course.tenant.limits
    assert assignment.course.tenant.storage_id == stored.course.tenant.storage_id
    assert (student.pk, student.name) == (submission.student.pk, submission.student.name)
    assert target.unfinished_seen is True is unfinished_by_orm(claims)
    assert target.new_id is None  # not asked for


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sequences")
def test_a_reserved_id_is_the_next_rows_and_never_given_again() -> None:
    claims = student_claims(SubmissionFactory())

    first = assignment_for_upload(claims, reserve_id=True).new_id
    second = assignment_for_upload(claims, reserve_id=True).new_id
    later = SubmissionFactory()  # a row the database numbers itself

    assert first is not None and second is not None
    assert Submission.objects.order_by("pk").first().pk < first < second < later.pk


@pytest.mark.parametrize(
    "others",
    [
        {"state": "ready", "is_current": True},  # finished
        {"state": "deleted"},  # ended
        {"state": "failed"},
    ],
)
def test_an_upload_that_ended_is_not_unfinished(others: dict[str, object]) -> None:
    submission = SubmissionFactory(**others)
    SubmissionFactory(assignment=submission.assignment)  # someone else's
    SubmissionFactory(student=submission.student)  # to another assignment
    claims = student_claims(submission)

    assert assignment_for_upload(claims).unfinished_seen is False is unfinished_by_orm(claims)


def test_another_course_finds_nothing() -> None:
    claims = student_claims(SubmissionFactory())
    other = VideoAssignmentFactory()

    with pytest.raises(NotFound):
        assignment_for_upload(replace(claims, course_id=other.course_id))


@pytest.mark.parametrize(
    ("file", "found"),
    [
        (("essay.mp4", 10, "video/mp4"), True),  # this very file: to resume
        (("essay.mp4", 11, "video/mp4"), False),  # another size
        (("other.mp4", 10, "video/mp4"), False),
        (None, False),  # a name validation will refuse
    ],
)
def test_same_file_is_an_unfinished_upload_of_this_very_file(
    file: tuple[str, int, str] | None, found: bool
) -> None:
    submission = SubmissionFactory(filename="essay.mp4", size_bytes=10, mime_type="video/mp4")
    SubmissionFactory(  # an ended upload of the same file is not resumed
        assignment=submission.assignment,
        student=submission.student,
        state="deleted",
        filename="other.mp4",
        size_bytes=10,
    )

    target = assignment_for_upload(student_claims(submission), file=file)

    assert target.unfinished_seen is True
    assert target.same_file_seen is found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_prepared_read_finds_unfinished_uploads_through_their_own_index() -> None:
    """Statements are prepared (config/settings.py), and a prepared statement's plan must do
    for any parameters. With the state written into the text, that plan still reads only
    the student's unfinished uploads (`submission_unfinished`): not every pending row of
    every student and each one ended since the last vacuum, as through an index on state."""
    claims = student_claims(SubmissionFactory())
    seen: list[tuple[str, list[object]]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, list(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        assignment_for_upload(claims, file=("essay.mp4", 10, "video/mp4"))
    (sql, params), numbers = seen[0], itertools.count(1)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")  # the test's transaction
        cursor.execute("PREPARE ticket_read AS " + re.sub("%s", lambda _: f"${next(numbers)}", sql))
        try:
            arguments = ", ".join(["%s"] * len(params))
            cursor.execute(
                connection.ops.compose_sql(f"EXPLAIN EXECUTE ticket_read({arguments})", params)
            )
            plan = "\n".join(line for (line,) in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE ticket_read")  # sessions outlive the test's transaction

    assert plan.count("submission_unfinished") == 2, plan  # both EXISTS
    assert "submission_state_purged" not in plan
