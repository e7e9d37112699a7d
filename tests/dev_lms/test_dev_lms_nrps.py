"""Names and Role Provisioning Services 2.0: the course roster, paged and filtered."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.dev_lms.tool import AGS_SCOPE, NRPS_SCOPE

pytestmark = pytest.mark.urls("tests.dev_lms.urls")

MEMBERSHIPS = "/dev-lms/nrps/dev-course-1/memberships"
MEMBERSHIPS_URL = "http://testserver" + MEMBERSHIPS
CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def roster(client: Client, get_token: Any) -> Any:
    """GET the memberships with an NRPS token; returns the response."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {get_token(NRPS_SCOPE)}", "HTTP_ACCEPT": CONTAINER}
    return lambda **params: client.get(MEMBERSHIPS, params, **auth)


def user_ids(response: Any) -> list[str]:
    return [member["user_id"] for member in response.json()["members"]]


def test_the_container_lists_everyone_enrolled(roster: Any) -> None:
    response = roster()

    assert response.status_code == 200
    assert response["Content-Type"] == CONTAINER
    body = response.json()
    assert body["id"] == MEMBERSHIPS_URL
    assert body["context"] == {
        "id": "dev-course-1",
        "label": "VID101",
        "title": "Video Production 101",
    }
    # The four who launch, and two learners who never do (so a tool can show who is missing).
    assert user_ids(response) == [
        "dev-user-ada",
        "dev-user-brook",
        "dev-user-chen",
        "dev-user-dana",
        "dev-user-eve",
        "dev-user-finn",
    ]
    assert body["members"][0] == {
        "status": "Active",
        "user_id": "dev-user-ada",
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada.lovelace@dev-lms.example",
        "roles": [LEARNER],
    }
    assert body["members"][3]["roles"] == [INSTRUCTOR]
    assert "Link" not in response


def test_the_roster_is_paged_with_a_next_link(client: Client, roster: Any) -> None:
    first = roster(limit="4")

    assert len(user_ids(first)) == 4
    assert first["Link"] == f'<{MEMBERSHIPS_URL}?limit=4&page=2>; rel="next"'
    next_url = first["Link"][1 : first["Link"].index(">")]
    second = client.get(
        next_url.removeprefix("http://testserver"),
        HTTP_AUTHORIZATION=first.wsgi_request.headers["Authorization"],
    )
    assert user_ids(second) == ["dev-user-eve", "dev-user-finn"]
    assert "Link" not in second


def test_the_rlid_filter_keeps_the_next_link(roster: Any) -> None:
    response = roster(rlid="dev-assignment-1", limit="5")

    assert len(user_ids(response)) == 5
    assert "rlid=dev-assignment-1" in response["Link"]


def test_an_unknown_rlid_is_not_found(roster: Any) -> None:
    response = roster(rlid="another-course-link")

    assert response.status_code == 404
    assert "rlid" in response.json()["error_description"]


@pytest.mark.parametrize(("role", "count"), [("Learner", 5), (INSTRUCTOR, 1)])
def test_the_role_filter(roster: Any, role: str, count: int) -> None:
    assert len(user_ids(roster(role=role))) == count


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_a_bad_limit_is_refused(roster: Any, limit: str) -> None:
    response = roster(limit=limit)

    assert response.status_code == 400
    assert "limit must be a positive whole number" in response.json()["error_description"]


def test_the_roster_needs_the_nrps_scope(client: Client, get_token: Any) -> None:
    assert client.get(MEMBERSHIPS).status_code == 401
    ags_only = {"HTTP_AUTHORIZATION": f"Bearer {get_token(AGS_SCOPE + 'score')}"}
    assert client.get(MEMBERSHIPS, **ags_only).status_code == 403
