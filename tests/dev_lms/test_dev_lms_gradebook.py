"""The gradebook page, the service claims of a launch, and submission review launches."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.dev_lms.launch import auth_params, launch_claims
from tests.dev_lms.tool import AGS_SCOPE, ISS, LAUNCH_URL, LTI

pytestmark = pytest.mark.urls("tests.dev_lms.urls")

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LINEITEMS_URL = ISS + "/ags/dev-course-1/lineitems"
SCORE = "application/vnd.ims.lis.v1.score+json"


@pytest.fixture
def post_score(client: Client, get_token: Any) -> Any:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {get_token(AGS_SCOPE + 'score')}"}

    def post(**fields: Any) -> None:
        body = {
            "userId": "dev-user-ada",
            "activityProgress": "Submitted",
            "gradingProgress": "FullyGraded",
            "timestamp": "2025-03-01T10:00:00.123+00:00",
            "scoreGiven": 7.5,
            "scoreMaximum": 10,
            "comment": "Good framing, speak up a little.",
            **fields,
        }
        path = "/dev-lms/ags/dev-course-1/lineitems/1/scores"
        response = client.post(path, json.dumps(body), content_type=SCORE, **auth)
        assert response.status_code == 204, response.content

    return post


def cell(html: str, testid: str) -> str:
    match = re.search(rf'<td data-testid="{testid}">(.*?)</td>', html, re.S)
    assert match, f"no cell {testid}"
    return match.group(1)


def test_every_launch_carries_the_service_claims(client: Client) -> None:
    claims = launch_claims(client, login_hint="ada")

    assert claims[AGS] == {
        "scope": [
            AGS_SCOPE + "lineitem",
            AGS_SCOPE + "lineitem.readonly",
            AGS_SCOPE + "result.readonly",
            AGS_SCOPE + "score",
        ],
        "lineitems": LINEITEMS_URL,
        "lineitem": LINEITEMS_URL + "/1",
    }
    assert claims[NRPS] == {
        "context_memberships_url": ISS + "/nrps/dev-course-1/memberships",
        "service_versions": ["2.0"],
    }


def test_course_page_links_to_the_gradebook(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    html = client.get("/dev-lms/").content.decode()

    assert 'href="/dev-lms/gradebook/" data-testid="gradebook-link"' in html


def test_gradebook_lists_every_learner_with_nothing_yet(client: Client) -> None:
    response = client.get("/dev-lms/gradebook/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Introduce yourself on video" in html
    assert "out of 100" in html
    for key, name in [("ada", "Ada Lovelace"), ("eve", "Eve Moreau"), ("finn", "Finn Okafor")]:
        assert name in html
        assert "missing" in cell(html, f"grade-1-{key}")
    assert "Dana Scully" not in html  # the teacher is not graded


def test_gradebook_shows_a_posted_score(client: Client, post_score: Any) -> None:
    post_score()

    html = client.get("/dev-lms/gradebook/").content.decode()

    ada = cell(html, "grade-1-ada")
    assert "7.5 / 10" in ada
    assert "Submitted" in ada
    assert "FullyGraded" in ada
    assert "Good framing, speak up a little." in ada
    assert "2025-03-01T10:00:00.123+00:00" in ada
    assert "missing" in cell(html, "grade-1-brook")


def test_a_score_without_a_grade_shows_its_progress(client: Client, post_score: Any) -> None:
    post_score(gradingProgress="PendingManual", scoreGiven=None, scoreMaximum=None, comment=None)

    ada = cell(client.get("/dev-lms/gradebook/").content.decode(), "grade-1-ada")

    assert "not scored" in ada
    assert "PendingManual" in ada


# --- Submission review ---------------------------------------------------------------------


def test_a_graded_cell_offers_the_teacher_a_review(client: Client, post_score: Any) -> None:
    post_score()

    html = client.get("/dev-lms/gradebook/").content.decode()

    ada = cell(html, "grade-1-ada")
    assert 'data-testid="review-1-ada"' in ada
    assert 'target="tool-frame"' in ada
    assert 'name="login_hint" value="dana"' in ada
    assert 'name="lti_message_hint" value="review:1:ada"' in ada
    assert "review-1-brook" not in html  # nothing to review yet
    assert 'name="tool-frame" id="tool-frame"' in html


def test_review_launch_is_a_submission_review_request_for_the_student(
    client: Client, post_score: Any
) -> None:
    post_score()

    claims = launch_claims(client, login_hint="dana", lti_message_hint="review:1:ada")

    assert claims["sub"] == "dev-user-dana"
    assert claims[LTI + "message_type"] == "LtiSubmissionReviewRequest"
    assert claims[LTI + "target_link_uri"] == LAUNCH_URL
    assert claims[LTI + "resource_link"]["id"] == "dev-assignment-1"
    assert claims[LTI + "for_user"] == {
        "user_id": "dev-user-ada",
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada.lovelace@dev-lms.example",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    }
    assert claims[AGS]["lineitem"] == LINEITEMS_URL + "/1"


@pytest.mark.parametrize(
    ("login_hint", "message_hint", "message"),
    [
        ("ada", "review:1:brook", "teacher-only"),
        ("dana", "review:99:ada", "no line item '99'"),
        ("dana", "review:1:mallory", "not a reviewable submission"),
    ],
)
def test_a_bad_review_launch_is_refused(
    client: Client, login_hint: str, message_hint: str, message: str
) -> None:
    response = client.get(
        "/dev-lms/auth/", auth_params(login_hint=login_hint, lti_message_hint=message_hint)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
