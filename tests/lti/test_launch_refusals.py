"""A launch that is refused after its token was verified writes nothing, for every message
type and role (resource link, deep linking, submission review): the tool checks what the
claims allow first and records only then (lti_tool/services/launches.launch_check)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lti_tool.models import LtiUser, Submission, VideoAssignment
from lti_tool.services.launches import LAST_LAUNCH_PRECISION
from tests.fixtures.platform import LaunchDriver
from tests.lti.support import db_snapshot, error_message
from tests.lti_platform.signer import INSTRUCTOR, LEARNER, LTI

MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
ATTACKER_COLUMN = "https://lms.example/lineitems/attacker"


def deep_linking(**extra: Any) -> dict[str, Any]:
    settings = {
        "deep_link_return_url": "https://lms.example/deep-link-return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
    }
    return {
        LTI + "message_type": "LtiDeepLinkingRequest",
        LTI + "resource_link": None,
        DL + "deep_linking_settings": settings,
        **extra,
    }


def review(for_user: str | None, **extra: Any) -> dict[str, Any]:
    return {
        LTI + "message_type": "LtiSubmissionReviewRequest",
        LTI + "for_user": {"user_id": for_user} if for_user else None,
        AGS: {
            "lineitem": ATTACKER_COLUMN,
            "lineitems": "https://lms.example/lineitems",
            "scope": [LINEITEM_SCOPE],
        },
        **extra,
    }


REFUSALS = [
    # resource link
    pytest.param({"roles": (MENTOR,)}, 403, "does not give access", id="link-mentor"),
    pytest.param({LTI + "context": None}, 400, "placed inside a course", id="link-without-course"),
    pytest.param(
        {LTI + "resource_link": None, LTI + "message_type": "LtiResourceLinkRequest"},
        400,
        "missing information",  # refused by the launch's own message check
        id="link-without-resource-link",
    ),
    # deep linking
    pytest.param(
        {"roles": (LEARNER,), **deep_linking()}, 403, "Only instructors", id="deep-link-learner"
    ),
    pytest.param(
        {"roles": (MENTOR,), **deep_linking()}, 403, "does not give access", id="deep-link-mentor"
    ),
    pytest.param(
        {
            "roles": (INSTRUCTOR,),
            **deep_linking(
                **{
                    DL + "deep_linking_settings": {
                        "accept_types": ["ltiResourceLink"],
                        "accept_presentation_document_targets": ["iframe"],
                    }
                }
            ),
        },
        400,
        "no return address",
        id="deep-link-without-return-url",
    ),
    pytest.param(
        {"roles": (INSTRUCTOR,), LTI + "context": None, **deep_linking()},
        400,
        "placed inside a course",
        id="deep-link-without-course",
    ),
    # submission review
    pytest.param(
        {"roles": (LEARNER,), **review("student-1")},
        403,
        "only review your own",
        id="review-learner-of-a-classmate",
    ),
    pytest.param(
        {"roles": (MENTOR,), **review("student-1")},
        403,
        "does not give access",
        id="review-mentor",
    ),
    pytest.param(
        {"roles": (INSTRUCTOR,), **review(None)},
        400,
        "missing information",  # refused by the launch's own message check
        id="review-without-for-user",
    ),
    pytest.param(
        {"roles": (INSTRUCTOR,), LTI + "resource_link": None, **review("student-1")},
        400,
        "which assignment",
        id="review-of-an-unknown-column",
    ),
]


@pytest.mark.parametrize(("claims", "status", "says"), REFUSALS)
def test_refused_launch_writes_nothing(
    launcher: LaunchDriver,
    earlier_launch: Submission,
    claims: dict[str, Any],
    status: int,
    says: str,
) -> None:
    """A newcomer (no user row yet) whose launch is refused leaves no row and changes none."""
    before = db_snapshot()

    response = launcher.launch(sub="newcomer", name="New Comer", **claims)

    assert response.status_code == status
    assert says in error_message(response)
    assert db_snapshot() == before


def test_refused_review_keeps_the_gradebook_column(
    launcher: LaunchDriver, earlier_launch: Submission
) -> None:
    """The student who launched before reviews a classmate's work: refused, and the launch's
    line item (where later grades go) is not taken over."""
    assignment = VideoAssignment.objects.get()
    before = db_snapshot()

    response = launcher.launch(roles=(LEARNER,), **review("classmate"))

    assert response.status_code == 403
    assert db_snapshot() == before
    assignment.refresh_from_db()
    assert assignment.lineitem_url != ATTACKER_COLUMN


@pytest.mark.parametrize(
    ("claims", "template"),
    [
        pytest.param({}, "lti_tool/student.html", id="resource-link"),
        pytest.param(
            {"sub": "teacher-1", "roles": (INSTRUCTOR,), **deep_linking()},
            "lti_tool/deep_link_form.html",
            id="deep-linking",
        ),
        pytest.param(
            {"sub": "teacher-1", "roles": (INSTRUCTOR,), **review("student-1")},
            "lti_tool/teacher.html",
            id="submission-review",
        ),
    ],
)
def test_accepted_launch_of_each_type_records_the_launch(
    launcher: LaunchDriver, earlier_launch: Submission, claims: dict[str, Any], template: str
) -> None:
    """The same checks let the allowed launches through, and those do record who came
    (`last_launch_at`, to the hour: those who launched earlier than that)."""
    before = timezone.now()
    earlier = before - LAST_LAUNCH_PRECISION - timedelta(minutes=1)
    LtiUser.objects.update(last_launch_at=earlier)
    response = launcher.launch(**claims)

    assert response.status_code == 200, response.content[:300]
    assert response.templates[0].name == template
    sub = claims.get("sub", "student-1")
    assert LtiUser.objects.get(sub=sub).last_launch_at > before
