"""Launches that must work: the checks in test_launch_security must not refuse these."""

from __future__ import annotations

import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fixtures.platform import LaunchDriver, launch_token_from
from tests.lti.support import page_template

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"


def test_several_audiences_with_our_client_id_as_azp(launcher: LaunchDriver) -> None:
    response = launcher.launch(aud=["test-client", "lms-analytics"], azp="test-client")
    assert response.status_code == 200
    assert launch_token_from(response)


def test_platform_clock_a_little_ahead_is_tolerated(launcher: LaunchDriver) -> None:
    """An LMS whose clock runs 30 s fast issues tokens "in the future" for the tool."""
    now = int(time.time())
    response = launcher.launch(iat=now + 30, exp=now + 330)
    assert response.status_code == 200


def test_platform_key_rotation_refetches_the_jwks_once(
    launcher: LaunchDriver, jwks_fetches: list[str]
) -> None:
    platform = launcher.platform
    assert launcher.launch().status_code == 200
    assert jwks_fetches == [platform.keyset_url]  # fetched, now cached without the new kid

    # The platform rotates: it signs with a new key and still publishes the old one.
    old_public = platform.jwks()["keys"][0]
    platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform.kid = uuid.uuid4().hex
    platform.extra_keys = [old_public]

    assert launcher.launch().status_code == 200
    assert launcher.launch(sub="student-2").status_code == 200
    assert jwks_fetches == [platform.keyset_url] * 2  # one refetch, then the cache again


def test_platform_that_dropped_the_old_key_still_launches_with_the_new(
    launcher: LaunchDriver,
) -> None:
    platform = launcher.platform
    assert launcher.launch().status_code == 200
    platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform.kid = uuid.uuid4().hex  # the JWKS now holds only the new key

    assert launcher.launch().status_code == 200


@pytest.mark.parametrize(
    "role",
    [
        f"{MEMBERSHIP}#Instructor",
        f"{MEMBERSHIP}/Instructor#TeachingAssistant",
        f"{MEMBERSHIP}#ContentDeveloper",
        f"{MEMBERSHIP}#Administrator",
        "Instructor",  # the short form LTI allows for context roles
    ],
)
def test_teaching_roles_open_the_grading_page(launcher: LaunchDriver, role: str) -> None:
    response = launcher.launch(sub="staff-1", roles=(role,))
    assert response.status_code == 200
    assert page_template(response) == "lti_tool/teacher.html"
    assert "Submissions" in response.content.decode()


def test_learner_opens_the_submit_page(launcher: LaunchDriver) -> None:
    response = launcher.launch(roles=(f"{MEMBERSHIP}#Learner",))
    assert response.status_code == 200
    assert page_template(response) == "lti_tool/student.html"
    assert "Record or upload a video" in response.content.decode()


def test_instructor_elsewhere_is_a_learner_here(launcher: LaunchDriver) -> None:
    response = launcher.launch(roles=(f"{INSTITUTION}#Instructor", f"{MEMBERSHIP}#Learner"))
    assert response.status_code == 200
    assert page_template(response) == "lti_tool/student.html"
