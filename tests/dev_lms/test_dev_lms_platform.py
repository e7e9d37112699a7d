"""The development LMS as a platform: its JWKS, login round trip and id_token claims.

The tool's LTI endpoints are replaced by stubs (tests/dev_lms/urls.py), so these tests pin
down only what the platform sends; the tool's own launch tests play the platform with their
own signer.
"""

from __future__ import annotations

import re
import stat
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from django.test import Client

from dev_lms import platform
from tests.dev_lms.launch import auth_params, form_field, verified_claims

ISS = "http://testserver/dev-lms"
LAUNCH_URL = "http://testserver/lti/launch/"
LOGIN_URL = "http://testserver/lti/login/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"

pytestmark = pytest.mark.urls("tests.dev_lms.urls")


def launch_claims(client: Client, login_hint: str) -> dict[str, Any]:
    response = client.get("/dev-lms/auth/", auth_params(login_hint=login_hint))
    assert response.status_code == 200
    return verified_claims(client, form_field(response.content.decode(), "id_token"))


def test_jwks_publishes_only_the_public_signing_key(client: Client) -> None:
    response = client.get("/dev-lms/jwks/")

    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"] == platform.platform_key().kid
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


def test_key_is_kept_private_on_disk_and_survives_a_restart(
    data_dir: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = platform.platform_key()
    key_file = data_dir / "dev-lms" / "platform-key.pem"

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert platform.platform_key() is first  # loaded once per process
    monkeypatch.setattr(platform, "_keys", {})  # a new process
    assert platform.platform_key().kid == first.kid


def test_course_page_registers_with_the_tool(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    response = client.get("/dev-lms/")

    assert response.status_code == 200
    assert registrations == [
        {
            "tenant_name": "Development LMS",
            "issuer": ISS,
            "client_id": "dev-lms-client",
            "auth_login_url": ISS + "/auth/",
            "auth_token_url": ISS + "/token/",
            "keyset_url": ISS + "/jwks/",
            "deployment_ids": ["dev-deployment-1"],
        }
    ]


def test_course_page_offers_a_launch_per_person(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    html = client.get("/dev-lms/").content.decode()

    assert "Video Production 101" in html
    assert "Introduce yourself on video" in html
    for name in ("Ada Lovelace", "Brook Kim", "Chen Wei", "Dana Scully"):
        assert name in html
    for key in ("ada", "brook", "chen", "dana"):
        assert f'data-testid="launch-{key}"' in html
        assert f'name="login_hint" value="{key}"' in html
    assert html.count(f'<form method="get" action="{LOGIN_URL}" target="tool-frame">') == 4
    assert f'name="iss" value="{ISS}"' in html
    assert f'name="target_link_uri" value="{LAUNCH_URL}"' in html
    assert 'name="lti_message_hint" value="dev-assignment-1"' in html
    assert 'name="client_id" value="dev-lms-client"' in html
    assert 'name="lti_deployment_id" value="dev-deployment-1"' in html
    assert 'name="tool-frame" id="tool-frame"' in html
    assert 'allow="camera; microphone; display-capture; fullscreen"' in html


def test_new_tab_link_carries_the_same_login_initiation(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    html = client.get("/dev-lms/").content.decode()

    href = re.search(r'href="([^"]*)" target="_blank"[^>]*data-testid="launch-dana-new-tab"', html)
    assert href
    url = urlsplit(href.group(1).replace("&amp;", "&"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == LOGIN_URL
    assert dict(parse_qsl(url.query)) == {
        "iss": ISS,
        "login_hint": "dana",
        "target_link_uri": LAUNCH_URL,
        "lti_message_hint": "dev-assignment-1",
        "client_id": "dev-lms-client",
        "lti_deployment_id": "dev-deployment-1",
    }


def test_auth_posts_a_signed_id_token_and_the_state_to_the_tool(client: Client) -> None:
    response = client.get("/dev-lms/auth/", auth_params())

    assert response.status_code == 200
    html = response.content.decode()
    assert f'method="post" action="{LAUNCH_URL}"' in html
    assert ".submit()" in html
    assert "Continue</button>" in html
    assert form_field(html, "state") == "state-456"
    header = jwt.get_unverified_header(form_field(html, "id_token"))
    assert header["alg"] == "RS256"
    assert header["kid"] == platform.platform_key().kid


def test_student_id_token_has_the_lti_resource_link_claims(client: Client) -> None:
    claims = launch_claims(client, "ada")

    assert claims["aud"] == "dev-lms-client"
    assert claims["sub"] == "dev-user-ada"
    assert claims["nonce"] == "nonce-123"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["name"] == "Ada Lovelace"
    assert claims["given_name"] == "Ada"
    assert claims["family_name"] == "Lovelace"
    assert claims["email"]
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == "dev-deployment-1"
    assert claims[LTI + "target_link_uri"] == LAUNCH_URL
    assert claims[LTI + "resource_link"] == {
        "id": "dev-assignment-1",
        "title": "Introduce yourself on video",
    }
    assert claims[LTI + "context"] == {
        "id": "dev-course-1",
        "label": "VID101",
        "title": "Video Production 101",
        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
    }
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    tool_platform = claims[LTI + "tool_platform"]
    assert tool_platform["guid"]
    assert tool_platform["name"] == "Development LMS"
    assert tool_platform["product_family_code"] == "dev-lms"
    assert claims[LTI + "launch_presentation"] == {
        "document_target": "iframe",
        "return_url": ISS + "/",
    }
    assert claims[LTI + "custom"] == {}


def test_teacher_launches_as_instructor(client: Client) -> None:
    claims = launch_claims(client, "dana")

    assert claims["sub"] == "dev-user-dana"
    assert claims["name"] == "Dana Scully"
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


def test_each_person_has_a_stable_distinct_subject(client: Client) -> None:
    subjects = [launch_claims(client, key)["sub"] for key in ("ada", "brook", "chen", "ada")]

    assert subjects == ["dev-user-ada", "dev-user-brook", "dev-user-chen", "dev-user-ada"]


def test_auth_accepts_a_form_post(client: Client) -> None:
    response = client.post("/dev-lms/auth/", auth_params(login_hint="brook"))

    assert response.status_code == 200
    claims = verified_claims(client, form_field(response.content.decode(), "id_token"))
    assert claims["sub"] == "dev-user-brook"


def test_auth_page_may_be_framed_only_by_the_course_page(client: Client) -> None:
    response = client.get("/dev-lms/auth/", auth_params())

    assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"scope": "profile"}, "scope"),
        ({"response_type": "code"}, "response_type"),
        ({"response_mode": "fragment"}, "response_mode"),
        ({"prompt": "login"}, "prompt"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"redirect_uri": "https://evil.example/steal"}, "redirect_uri"),
        ({"redirect_uri": "<absent>"}, "redirect_uri"),
        ({"login_hint": "mallory"}, "login_hint"),
        ({"lti_message_hint": "other-assignment"}, "lti_message_hint"),
        ({"nonce": ""}, "nonce"),
        ({"nonce": "<absent>"}, "nonce"),
        ({"state": "<absent>"}, "state"),
    ],
)
def test_auth_refuses_a_bad_request(client: Client, override: dict[str, str], message: str) -> None:
    response = client.get("/dev-lms/auth/", auth_params(**override))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()
    assert b"eyJ" not in response.content  # no token leaks out of a refused request


def test_token_endpoint_refuses_a_request_without_a_client_assertion(client: Client) -> None:
    response = client.post("/dev-lms/token/", {"grant_type": "client_credentials"})

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "client_assertion_type must be "
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
    }
