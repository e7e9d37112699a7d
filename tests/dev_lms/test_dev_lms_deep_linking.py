"""Deep Linking 2.0: the teacher's request launch, and the tool's response coming back."""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest
from django.test import Client

from tests.dev_lms.launch import auth_params, launch_claims
from tests.dev_lms.tool import DL, ISS, LAUNCH_URL, LTI, ToolKey, deep_linking_response_claims

pytestmark = pytest.mark.urls("tests.dev_lms.urls")

SETTINGS = DL + "deep_linking_settings"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LINEITEMS_URL = ISS + "/ags/dev-course-1/lineitems"


def deep_linking_data(client: Client) -> str:
    """Launch deep linking as the teacher; the `data` the tool must echo."""
    claims = launch_claims(client, login_hint="dana", lti_message_hint="deep-linking")
    return str(claims[SETTINGS]["data"])


def post_response(client: Client, token: str) -> Any:
    return client.post("/dev-lms/deep-link-return/", {"JWT": token})


def test_course_page_offers_the_teacher_deep_linking(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    html = client.get("/dev-lms/").content.decode()

    form = re.search(r'<form class="deep-link".*?</form>', html, re.S)
    assert form
    assert 'data-testid="deep-link-dana"' in form.group()
    assert "Add a video assignment (deep linking)" in form.group()
    assert 'name="login_hint" value="dana"' in form.group()
    assert 'name="lti_message_hint" value="deep-linking"' in form.group()
    assert 'target="tool-frame"' in form.group()


def test_deep_linking_request_has_the_settings_claim(client: Client) -> None:
    claims = launch_claims(client, login_hint="dana", lti_message_hint="deep-linking")

    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert claims[LTI + "target_link_uri"] == LAUNCH_URL
    assert LTI + "resource_link" not in claims
    settings = claims[SETTINGS]
    assert len(settings.pop("data")) >= 20
    assert settings == {
        "deep_link_return_url": ISS + "/deep-link-return/",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": False,
        "accept_lineitem": True,
        "auto_create": True,
        "title": "Add a video assignment",
    }
    assert claims[AGS]["lineitems"] == LINEITEMS_URL
    assert "lineitem" not in claims[AGS]
    assert claims[NRPS]["context_memberships_url"] == ISS + "/nrps/dev-course-1/memberships"


def test_each_deep_linking_request_has_its_own_data(client: Client) -> None:
    assert deep_linking_data(client) != deep_linking_data(client)


def test_a_student_cannot_deep_link(client: Client) -> None:
    response = client.get(
        "/dev-lms/auth/", auth_params(login_hint="ada", lti_message_hint="deep-linking")
    )

    assert response.status_code == 400
    assert "teacher-only" in response.content.decode()


def test_a_returned_link_becomes_an_assignment_with_its_launches(
    client: Client, tool_key: ToolKey, tool_jwks: list[str], registrations: list[dict[str, Any]]
) -> None:
    data = deep_linking_data(client)

    done = post_response(client, tool_key.sign(deep_linking_response_claims(data=data)))

    assert done.status_code == 200, done.content
    assert "Pitch your project" in done.content.decode()
    # The top window goes back to the course page (a real navigation, not only a #fragment).
    assert "window.top.location.href" in done.content.decode()
    course_url = "/dev-lms/?added=dev-link-2#assignment-dev-link-2"
    assert f'href="{course_url}" target="_top"' in done.content.decode()
    assert tool_jwks == ["http://testserver/lti/jwks/"]
    html = client.get("/dev-lms/", {"added": "dev-link-2"}).content.decode()
    assert "“Pitch your project” was added to the course by deep linking." in html
    section = re.search(
        r'<section class="card" id="assignment-dev-link-2".*?</section>', html, re.S
    )
    assert section, "the new assignment is not on the course page"
    assert "Pitch your project" in section.group()
    assert "Two minutes, one take." in section.group()
    assert "graded out of 10" in section.group()
    for key in ("ada", "brook", "chen", "dana"):
        assert f'data-testid="launch-{key}-dev-link-2"' in section.group()
    assert 'name="lti_message_hint" value="dev-link-2"' in section.group()


def test_launching_the_new_link_carries_its_custom_params_and_column(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    data = deep_linking_data(client)
    post_response(client, tool_key.sign(deep_linking_response_claims(data=data)))

    claims = launch_claims(client, login_hint="brook", lti_message_hint="dev-link-2")

    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "resource_link"] == {
        "id": "dev-link-2",
        "title": "Pitch your project",
        "description": "Two minutes, one take.",
    }
    assert claims[LTI + "custom"] == {"max_seconds": "120", "who": "dev-user-brook"}
    assert claims[AGS]["lineitem"] == LINEITEMS_URL + "/3"


def test_the_returned_line_item_is_a_gradebook_column(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    data = deep_linking_data(client)
    post_response(client, tool_key.sign(deep_linking_response_claims(data=data)))

    html = client.get("/dev-lms/gradebook/").content.decode()

    assert 'data-testid="column-3"' in html
    header = re.search(r'data-testid="column-3">(.*?)</th>', html, re.S)
    assert header
    assert "Pitch your project" in header.group(1)
    assert "out of 10" in header.group(1)
    assert "video" in header.group(1)  # the tag


def test_an_empty_response_adds_nothing_and_shows_the_tools_message(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    data = deep_linking_data(client)
    claims = deep_linking_response_claims(data=data, **{DL + "content_items": []})
    claims[DL + "errormsg"] = "The teacher cancelled."

    response = post_response(client, tool_key.sign(claims))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was added" in html
    assert "The teacher cancelled." in html
    assert "window.top.location" not in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"aud": "http://testserver/elsewhere"}, "aud must be http://testserver/dev-lms"),
        ({"iss": "another-client"}, "iss must be the client id"),
        ({"nonce": "<absent>"}, "nonce claim is missing"),
        ({"exp": 1_000_000}, "expired"),
        ({"iat": "<absent>"}, "iat claim is missing"),
        ({LTI + "deployment_id": "other"}, "deployment_id"),
        ({LTI + "message_type": "LtiResourceLinkRequest"}, "LtiDeepLinkingResponse"),
        ({LTI + "version": "1.1"}, "1.3.0"),
        ({DL + "data": "made-up"}, "must echo the data"),
        ({DL + "data": "<absent>"}, "must echo the data"),
        ({DL + "content_items": [{"type": "file"}]}, "ltiResourceLink only"),
        (
            {DL + "content_items": [{"type": "ltiResourceLink"}] * 2},
            "accept_multiple is false",
        ),
        (
            {DL + "content_items": [{"type": "ltiResourceLink", "custom": {"n": 1}}]},
            "custom must be an object whose values are strings",
        ),
        (
            {DL + "content_items": [{"type": "ltiResourceLink", "lineItem": {"scoreMaximum": 0}}]},
            "lineItem: scoreMaximum must be greater than 0",
        ),
    ],
)
def test_a_bad_response_is_refused(
    client: Client,
    tool_key: ToolKey,
    tool_jwks: list[str],
    registrations: list[dict[str, Any]],
    overrides: dict[str, Any],
    message: str,
) -> None:
    data = deep_linking_data(client)

    response = post_response(
        client, tool_key.sign(deep_linking_response_claims(data=data, **overrides))
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text.startswith("Deep linking response refused: ")
    assert message in text
    assert "dev-link-" not in client.get("/dev-lms/").content.decode()


def test_a_response_signed_with_another_key_is_refused(
    client: Client, other_key: ToolKey, tool_jwks: list[str]
) -> None:
    data = deep_linking_data(client)

    response = post_response(client, other_key.sign(deep_linking_response_claims(data=data)))

    assert response.status_code == 400
    assert "signature does not verify" in response.content.decode()


def test_a_replayed_response_is_refused(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    token = tool_key.sign(deep_linking_response_claims(data=deep_linking_data(client)))
    assert post_response(client, token).status_code == 200

    assert post_response(client, token).status_code == 400  # its data is single use
    nonce = jwt.decode(token, options={"verify_signature": False})["nonce"]
    same_nonce = deep_linking_response_claims(data=deep_linking_data(client), nonce=nonce)
    replay = post_response(client, tool_key.sign(same_nonce))
    assert replay.status_code == 400
    assert "nonce was already used" in replay.content.decode()


def test_a_post_without_a_jwt_is_refused(client: Client) -> None:
    response = client.post("/dev-lms/deep-link-return/", {})

    assert response.status_code == 400
    assert response.content.decode() == "Deep linking response refused: the form has no JWT field."
