"""Assignment and Grade Services 2.0: line items, scores and results, behind bearer tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.dev_lms.tool import AGS_SCOPE, NRPS_SCOPE

pytestmark = pytest.mark.urls("tests.dev_lms.urls")

LINEITEMS = "/dev-lms/ags/dev-course-1/lineitems"
LINEITEMS_URL = "http://testserver" + LINEITEMS
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
ALL_AGS = (AGS_SCOPE + "lineitem", AGS_SCOPE + "result.readonly", AGS_SCOPE + "score")


class Tool:
    """The tool's side of the AGS calls, with one bearer token."""

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str, accept: str = "", **params: str) -> Any:
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        return self.client.get(path, params, **self.auth, **headers)

    def send(self, method: str, path: str, body: Any, content_type: str) -> Any:
        send = getattr(self.client, method)
        return send(path, json.dumps(body), content_type=content_type, **self.auth)

    def score(self, lineitem: str = "1", **fields: Any) -> Any:
        body = {
            "userId": "dev-user-ada",
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": "2025-03-01T10:00:00.123+00:00",
            "scoreGiven": 8,
            "scoreMaximum": 10,
            "comment": "Clear and well lit.",
            **fields,
        }
        body = {name: value for name, value in body.items() if value != "<absent>"}
        return self.send("post", f"{LINEITEMS}/{lineitem}/scores", body, SCORE)


@pytest.fixture
def tool(client: Client, get_token: Any) -> Tool:
    return Tool(client, get_token(*ALL_AGS))


def new_column(tool: Tool, **fields: Any) -> dict[str, Any]:
    body = {"label": "Reflection", "scoreMaximum": 20, **fields}
    response = tool.send("post", LINEITEMS, body, LINEITEM)
    assert response.status_code == 201, response.content
    return dict(response.json())


# --- Authorization -------------------------------------------------------------------------


def test_a_call_without_a_token_is_unauthorized(client: Client) -> None:
    response = client.get(LINEITEMS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_request"')


def test_an_unknown_token_is_unauthorized(client: Client) -> None:
    response = client.get(LINEITEMS, HTTP_AUTHORIZATION="Bearer made-up")

    assert response.status_code == 401
    assert response.json()["error_description"] == "The access token is unknown or has expired."


def test_a_token_without_the_scope_is_forbidden(client: Client, get_token: Any) -> None:
    tool = Tool(client, get_token(NRPS_SCOPE, AGS_SCOPE + "lineitem.readonly"))

    assert tool.get(LINEITEMS).status_code == 200
    refused = tool.score()
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "insufficient_scope",
        "error_description": f"This call needs the scope {AGS_SCOPE}score.",
    }
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert (
        tool.send("post", LINEITEMS, {"label": "x", "scoreMaximum": 1}, LINEITEM).status_code == 403
    )


def test_another_course_is_not_found(tool: Tool) -> None:
    assert tool.get("/dev-lms/ags/other-course/lineitems").status_code == 404


# --- Line items ----------------------------------------------------------------------------


def test_the_built_in_assignment_has_a_column(tool: Tool) -> None:
    response = tool.get(LINEITEMS, accept=CONTAINER)

    assert response.status_code == 200
    assert response["Content-Type"] == CONTAINER
    assert response.json() == [
        {
            "id": LINEITEMS_URL + "/1",
            "label": "Introduce yourself on video",
            "scoreMaximum": 100,
            "resourceLinkId": "dev-assignment-1",
        }
    ]


def test_a_created_line_item_is_listed_and_readable(tool: Tool) -> None:
    created = new_column(tool, resourceId="reflection", tag="essay", gradesReleased=False)

    assert created["id"] == LINEITEMS_URL + "/2"
    assert created["label"] == "Reflection"
    read = tool.get(f"{LINEITEMS}/2", accept=LINEITEM)
    assert read["Content-Type"] == LINEITEM
    assert read.json() == created
    assert [item["id"] for item in tool.get(LINEITEMS).json()] == [
        LINEITEMS_URL + "/1",
        LINEITEMS_URL + "/2",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"resource_link_id": "dev-assignment-1"}, ["1"]),
        ({"resource_id": "reflection"}, ["2"]),
        ({"tag": "essay"}, ["2"]),
        ({"tag": "none-such"}, []),
    ],
)
def test_line_items_can_be_filtered(tool: Tool, query: dict[str, str], expected: list[str]) -> None:
    new_column(tool, resourceId="reflection", tag="essay")

    found = tool.get(LINEITEMS, **query).json()

    assert [item["id"].rsplit("/", 1)[1] for item in found] == expected


def test_line_items_are_paged(tool: Tool) -> None:
    new_column(tool)
    new_column(tool)

    first = tool.get(LINEITEMS, limit="2")

    assert len(first.json()) == 2
    assert first["Link"] == f'<{LINEITEMS_URL}?limit=2&page=2>; rel="next"'
    last = tool.get(LINEITEMS, limit="2", page="2")
    assert [item["id"] for item in last.json()] == [LINEITEMS_URL + "/3"]
    assert "Link" not in last


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scoreMaximum": 10}, "label must be a non-empty string"),
        ({"label": "x"}, "scoreMaximum is required"),
        ({"label": "x", "scoreMaximum": 0}, "scoreMaximum must be greater than 0"),
        ({"label": "x", "scoreMaximum": "10"}, "scoreMaximum must be a number"),
        ({"label": "x", "scoreMaximum": 1, "resourceLinkId": "nope"}, "not a resource link"),
        ({"label": "x", "scoreMaximum": 1, "endDateTime": "tomorrow"}, "endDateTime must be"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_a_bad_line_item_is_refused(tool: Tool, body: Any, message: str) -> None:
    response = tool.send("post", LINEITEMS, body, LINEITEM)

    assert response.status_code == 400
    assert message in response.json()["error_description"]


def test_a_line_item_needs_its_media_type(tool: Tool) -> None:
    response = tool.send("post", LINEITEMS, {"label": "x", "scoreMaximum": 1}, "application/json")

    assert response.status_code == 415
    assert LINEITEM in response.json()["error_description"]


def test_an_unacceptable_accept_header_is_refused(tool: Tool) -> None:
    assert tool.get(LINEITEMS, accept="text/html").status_code == 406
    assert tool.get(LINEITEMS, accept="application/json").status_code == 200


def test_a_line_item_can_be_updated_but_keeps_its_link(tool: Tool) -> None:
    body = {"label": "Introductions", "scoreMaximum": 50, "tag": "intro"}

    response = tool.send("put", f"{LINEITEMS}/1", body, LINEITEM)

    assert response.status_code == 200
    assert response.json() == {
        "id": LINEITEMS_URL + "/1",
        "label": "Introductions",
        "scoreMaximum": 50,
        "tag": "intro",
        "resourceLinkId": "dev-assignment-1",
    }
    moved = tool.send("put", f"{LINEITEMS}/1", {**body, "resourceLinkId": "x"}, LINEITEM)
    assert moved.status_code == 400


def test_a_line_item_can_be_deleted(tool: Tool) -> None:
    new_column(tool)

    assert tool.client.delete(f"{LINEITEMS}/2", **tool.auth).status_code == 204
    assert tool.get(f"{LINEITEMS}/2").status_code == 404


# --- Scores and results --------------------------------------------------------------------


def test_a_score_becomes_a_result_on_the_line_items_scale(tool: Tool) -> None:
    assert tool.score().status_code == 204

    response = tool.get(f"{LINEITEMS}/1/results", accept=RESULTS)

    assert response["Content-Type"] == RESULTS
    assert response.json() == [
        {
            "id": LINEITEMS_URL + "/1/results?user_id=dev-user-ada",
            "scoreOf": LINEITEMS_URL + "/1",
            "userId": "dev-user-ada",
            "resultScore": 80.0,  # 8 of 10 on a column out of 100
            "resultMaximum": 100,
            "comment": "Clear and well lit.",
        }
    ]


def test_the_latest_score_per_user_is_kept(tool: Tool) -> None:
    tool.score(scoreGiven=3, timestamp="2025-03-01T10:00:00+00:00")
    tool.score(scoreGiven=9, timestamp="2025-03-01T11:00:00Z")
    tool.score(userId="dev-user-brook", scoreGiven=5)

    results = tool.get(f"{LINEITEMS}/1/results").json()

    assert {r["userId"]: r["resultScore"] for r in results} == {
        "dev-user-ada": 90.0,
        "dev-user-brook": 50.0,
    }
    only_brook = tool.get(f"{LINEITEMS}/1/results", user_id="dev-user-brook").json()
    assert [r["userId"] for r in only_brook] == ["dev-user-brook"]


def test_an_older_score_does_not_replace_a_newer_one(tool: Tool) -> None:
    tool.score(timestamp="2025-03-01T11:00:00+00:00")

    response = tool.score(scoreGiven=1, timestamp="2025-03-01T10:00:00+00:00")

    assert response.status_code == 409
    assert tool.get(f"{LINEITEMS}/1/results").json()[0]["resultScore"] == 80.0


def test_a_score_without_a_grade_records_progress(tool: Tool) -> None:
    response = tool.score(
        activityProgress="Submitted",
        gradingProgress="PendingManual",
        scoreGiven="<absent>",
        scoreMaximum="<absent>",
        comment="<absent>",
    )

    assert response.status_code == 204
    [result] = tool.get(f"{LINEITEMS}/1/results").json()
    assert "resultScore" not in result


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"userId": "<absent>"}, "userId must be a non-empty string"),
        ({"userId": "dev-user-mallory"}, "not a member of this course"),
        ({"activityProgress": "Done"}, "activityProgress must be one of"),
        ({"gradingProgress": "Graded"}, "gradingProgress must be one of"),
        ({"timestamp": "<absent>"}, "timestamp must be an ISO 8601 date-time"),
        ({"timestamp": "2025-03-01T10:00:00"}, "with a time zone offset"),
        ({"scoreMaximum": "<absent>"}, "scoreMaximum is required when scoreGiven is present"),
        ({"scoreGiven": -1}, "scoreGiven must be at least 0"),
        ({"scoreGiven": True}, "scoreGiven must be a number"),
        ({"scoreMaximum": 0}, "scoreMaximum must be greater than 0"),
        ({"comment": 5}, "comment must be a string"),
    ],
)
def test_a_bad_score_is_refused(tool: Tool, fields: dict[str, Any], message: str) -> None:
    response = tool.score(**fields)

    assert response.status_code == 400
    assert message in response.json()["error_description"]


def test_a_score_needs_its_media_type(tool: Tool) -> None:
    body = {"userId": "dev-user-ada"}

    response = tool.send("post", f"{LINEITEMS}/1/scores", body, "application/json")

    assert response.status_code == 415


def test_a_score_for_a_missing_line_item_is_not_found(tool: Tool) -> None:
    assert tool.score(lineitem="99").status_code == 404


def test_results_need_the_result_scope(client: Client, get_token: Any) -> None:
    tool = Tool(client, get_token(AGS_SCOPE + "score"))

    assert tool.score().status_code == 204
    assert tool.get(f"{LINEITEMS}/1/results").status_code == 403
