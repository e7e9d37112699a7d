"""Who a launch makes a teacher (lti_tool/services/launches.role_from_claims): the role in
this course decides, never a role somewhere else in the institution."""

from __future__ import annotations

import pytest

from lti_tool.errors import AppError
from lti_tool.services.launches import role_from_claims

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership#"


@pytest.mark.parametrize(
    "role",
    [
        MEMBERSHIP + "Instructor",
        MEMBERSHIP + "TeachingAssistant",
        MEMBERSHIP + "ContentDeveloper",
        MEMBERSHIP + "Administrator",
        "Instructor",
        LIS + "system/person#Administrator",
        LIS + "institution/person#Administrator",
    ],
)
def test_teaching_roles_of_the_course_and_platform_administrators_teach(role: str) -> None:
    assert role_from_claims([role]) == "teacher"


@pytest.mark.parametrize("roles", [[MEMBERSHIP + "Learner"], ["Learner"]])
def test_learners_submit(roles: list[str]) -> None:
    assert role_from_claims(roles) == "student"


def test_a_learner_who_teaches_elsewhere_is_a_student_here() -> None:
    """Canvas sends institution/person#Instructor for anyone who teaches any course."""
    roles = [LIS + "institution/person#Instructor", MEMBERSHIP + "Learner"]

    assert role_from_claims(roles) == "student"


def test_teaching_wins_over_learning_in_the_same_course() -> None:
    assert role_from_claims([MEMBERSHIP + "Learner", MEMBERSHIP + "Instructor"]) == "teacher"


@pytest.mark.parametrize(
    "roles", [[], [MEMBERSHIP + "Mentor"], [LIS + "institution/person#Instructor"]]
)
def test_other_roles_are_refused_with_a_reason(roles: list[str]) -> None:
    with pytest.raises(AppError) as refused:
        role_from_claims(roles)

    assert (refused.value.code, refused.value.status) == ("role_not_supported", 403)
