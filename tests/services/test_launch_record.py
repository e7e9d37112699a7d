"""What a launch writes (lti_tool/services/launches.launch_record): everything for a newcomer,
only what the claims change for a returning person, and nothing when they change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lti_tool.models import Course, Grade, LtiUser, Submission, VideoAssignment
from lti_tool.services.launches import LAST_LAUNCH_PRECISION
from tests.api.test_round_trips import statements, summary
from tests.factories import GradeFactory, SubmissionFactory
from tests.fixtures.platform import LaunchDriver

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def writes(sql: list[str]) -> list[str]:
    return [s for s in summary(sql) if not s.startswith("SELECT")]


def test_a_newcomer_is_recorded_with_the_course_and_the_link(launcher: LaunchDriver) -> None:
    with statements() as sql:
        assert launcher.launch(name="Ada Lovelace").status_code == 200
    user = LtiUser.objects.get()
    assert (user.sub, user.name, user.email) == (
        "student-1",
        "Ada Lovelace",
        "student-1@example.edu",
    )
    assert user.last_launch_at is not None
    assert Course.objects.get().title == "Course course-1"
    assert VideoAssignment.objects.get().resource_link_id == "link-1"
    assert len(writes(sql)) == 3, summary(sql)  # person, course, assignment


def test_a_returning_student_with_nothing_new_writes_nothing(launcher: LaunchDriver) -> None:
    assert launcher.launch().status_code == 200
    rows = (LtiUser.objects.values().get(), Course.objects.values().get())
    with statements() as sql:
        assert launcher.launch().status_code == 200
    assert writes(sql) == []
    assert (LtiUser.objects.values().get(), Course.objects.values().get()) == rows


def test_a_new_name_or_email_is_written(launcher: LaunchDriver) -> None:
    assert launcher.launch().status_code == 200
    with statements() as sql:
        assert launcher.launch(name="Ada King", email="ada@example.edu").status_code == 200
    assert len(writes(sql)) == 1 and "ltiuser" in writes(sql)[0], summary(sql)
    user = LtiUser.objects.get()
    assert (user.name, user.email) == ("Ada King", "ada@example.edu")


def test_the_launch_time_is_written_again_after_an_hour(launcher: LaunchDriver) -> None:
    assert launcher.launch().status_code == 200
    earlier = timezone.now() - LAST_LAUNCH_PRECISION - timedelta(seconds=1)
    LtiUser.objects.update(last_launch_at=earlier)

    assert launcher.launch().status_code == 200
    assert LtiUser.objects.get().last_launch_at > earlier + LAST_LAUNCH_PRECISION


def test_a_renamed_course_and_a_new_roster_service_are_written(launcher: LaunchDriver) -> None:
    assert launcher.launch().status_code == 200
    roster = {"context_memberships_url": "https://lms.example/roster", "service_versions": ["2.0"]}
    context = {"id": "course-1", "title": "Renamed", "label": "R1"}
    with statements() as sql:
        response = launcher.launch(
            **{"https://purl.imsglobal.org/spec/lti/claim/context": context, NRPS: roster}
        )
    assert response.status_code == 200
    assert len(writes(sql)) == 1 and "course" in writes(sql)[0], summary(sql)
    course = Course.objects.get()
    assert (course.title, course.label, course.memberships_url, course.nrps_versions) == (
        "Renamed",
        "R1",
        "https://lms.example/roster",
        ["2.0"],
    )
    with statements() as sql:  # the same claims again: nothing new
        launcher.launch(
            **{"https://purl.imsglobal.org/spec/lti/claim/context": context, NRPS: roster}
        )
    assert writes(sql) == []


def test_the_student_sees_a_released_grade_and_not_a_held_one(launcher: LaunchDriver) -> None:
    assert launcher.launch().status_code == 200
    submission = SubmissionFactory(
        assignment=VideoAssignment.objects.get(),
        student=LtiUser.objects.get(),
        state=Submission.State.READY,
        is_current=True,
    )
    grade = GradeFactory(submission=submission, score=Decimal("17.00"), held=True)

    assert launcher.launch().context["grade"] is None
    Grade.objects.filter(pk=grade.pk).update(held=False)
    shown = launcher.launch().context["grade"]
    assert (shown.pk, shown.score) == (grade.pk, Decimal("17.00"))
