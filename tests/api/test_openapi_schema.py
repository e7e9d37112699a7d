"""The OpenAPI schema the front end's types are generated from: stable names, exact values."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.test import Client

from lti_tool.models import Submission
from storage_backends.base import PlaybackKind, UploadProtocol


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_operation_ids_are_the_view_names_and_unique(schema: dict[str, Any]) -> None:
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]

    assert len(ids) == len(set(ids))
    # Not ninja's default "lti_tool_api_..." prefix, which changes when a router moves.
    assert {"my_submission", "start_upload", "list_grades", "roster", "sign_request"} <= set(ids)


def test_fields_with_a_fixed_set_of_values_list_them(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]

    state = components["SubmissionOut"]["properties"]["state"]
    assert state["enum"] == Submission.State.values
    protocol = components["TicketOut"]["properties"]["protocol"]
    assert protocol["enum"] == list(get_args(UploadProtocol))
    assert components["PlaybackOut"]["properties"]["kind"]["enum"] == list(get_args(PlaybackKind))
    roster_state = components["RosterLearnerOut"]["properties"]["submission_state"]
    assert {"enum": Submission.State.values, "type": "string"} in roster_state["anyOf"]
