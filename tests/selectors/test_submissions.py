"""The submission selectors (lti_tool/selectors): what a launch may read, straight from the
database with factory rows, no HTTP. The API tests check the same rules end to end."""

from __future__ import annotations

import pytest

from lti_tool.errors import NotFound, PermissionDenied
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import LtiUser, Submission, VideoAssignment
from lti_tool.selectors.submissions import (
    student_submissions,
    submission_for_viewer,
    submissions_for_grader,
    visible_submissions,
)
from tests.factories import (
    LtiUserFactory,
    SubmissionFactory,
    VideoAssignmentFactory,
)

pytestmark = pytest.mark.django_db


def claims_of(user: LtiUser, assignment: VideoAssignment, role: str = "student") -> LaunchClaims:
    course = assignment.course
    return LaunchClaims(
        tenant_id=course.tenant_id,
        user_id=user.pk,
        course_id=course.pk,
        assignment_id=assignment.pk,
        role=role,
    )  # type: ignore[arg-type]


def test_a_student_sees_only_their_own_submissions_to_this_link() -> None:
    mine = SubmissionFactory()
    assignment, me = mine.assignment, mine.student
    SubmissionFactory(assignment=assignment)  # a classmate's
    other_link = VideoAssignmentFactory(course=assignment.course)
    SubmissionFactory(assignment=other_link, student=me)  # mine, but another link

    assert list(visible_submissions(claims_of(me, assignment))) == [mine]


def test_a_teacher_sees_their_course_and_no_other() -> None:
    ours = SubmissionFactory()
    assignment = ours.assignment
    classmate = SubmissionFactory(assignment=VideoAssignmentFactory(course=assignment.course))
    SubmissionFactory()  # another course (and tenant)
    teacher = LtiUserFactory(tenant=assignment.course.tenant, sub="teacher-1")

    seen = visible_submissions(claims_of(teacher, assignment, "teacher"))

    assert set(seen) == {ours, classmate}


def test_someone_elses_submission_is_not_found_like_a_missing_one() -> None:
    theirs = SubmissionFactory()
    me = LtiUserFactory(tenant=theirs.assignment.course.tenant)
    claims = claims_of(me, theirs.assignment)

    with pytest.raises(NotFound) as hidden:
        submission_for_viewer(claims, theirs.pk)
    with pytest.raises(NotFound) as missing:
        submission_for_viewer(claims, theirs.pk + 1000)
    assert str(hidden.value) == str(missing.value)


def test_only_teachers_list_the_current_submissions_by_name() -> None:
    assignment = VideoAssignmentFactory()
    tenant = assignment.course.tenant
    zoe = SubmissionFactory(
        assignment=assignment, is_current=True, student=LtiUserFactory(tenant=tenant, name="Zoe")
    )
    ada = SubmissionFactory(
        assignment=assignment, is_current=True, student=LtiUserFactory(tenant=tenant, name="Ada")
    )
    SubmissionFactory(assignment=assignment, student=ada.student, is_current=False)
    teacher = LtiUserFactory(tenant=tenant)

    assert list(submissions_for_grader(claims_of(teacher, assignment, "teacher"))) == [ada, zoe]
    with pytest.raises(PermissionDenied):
        submissions_for_grader(claims_of(ada.student, assignment))


def test_a_student_has_a_current_video_and_a_replacement_on_its_way() -> None:
    current = SubmissionFactory(state=Submission.State.READY, is_current=True)
    assignment, me = current.assignment, current.student
    SubmissionFactory(assignment=assignment, student=me, state=Submission.State.PENDING_UPLOAD)
    replacement = SubmissionFactory(
        assignment=assignment, student=me, state=Submission.State.PROCESSING
    )

    assert student_submissions(claims_of(me, assignment)) == (current, replacement)


def test_an_unfinished_or_deleted_upload_is_not_in_progress() -> None:
    assignment = VideoAssignmentFactory()
    me = LtiUserFactory(tenant=assignment.course.tenant)
    SubmissionFactory(assignment=assignment, student=me, state=Submission.State.PENDING_UPLOAD)
    SubmissionFactory(assignment=assignment, student=me, state=Submission.State.DELETED)

    assert student_submissions(claims_of(me, assignment)) == (None, None)
