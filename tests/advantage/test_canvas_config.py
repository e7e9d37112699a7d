"""The Canvas developer key JSON at /lti/canvas.json, read over HTTP as Canvas reads it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@pytest.fixture
def canvas_json(live_server: Any) -> dict[str, Any]:
    response = requests.get(live_server.url + "/lti/canvas.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def test_urls_are_absolute_and_point_at_the_tool(
    canvas_json: dict[str, Any], live_server: Any
) -> None:
    base = live_server.url
    assert canvas_json["oidc_initiation_url"] == base + "/lti/login/"
    assert canvas_json["target_link_uri"] == base + "/lti/launch/"
    assert canvas_json["public_jwk_url"] == base + "/lti/jwks/"
    for url in (canvas_json["oidc_initiation_url"], canvas_json["public_jwk_url"]):
        assert urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc


def test_the_jwks_url_serves_the_tools_public_keys(canvas_json: dict[str, Any]) -> None:
    keys = requests.get(canvas_json["public_jwk_url"], timeout=10).json()["keys"]
    assert keys and all(key["kty"] == "RSA" and "d" not in key for key in keys)


def test_deep_linking_placements_and_privacy(canvas_json: dict[str, Any], live_server: Any) -> None:
    (extension,) = canvas_json["extensions"]
    assert extension["platform"] == "canvas.instructure.com"
    assert extension["privacy_level"] == "public"
    assert extension["domain"] == urlsplit(live_server.url).netloc
    placements = {p["placement"]: p for p in extension["settings"]["placements"]}
    assert set(placements) == {"assignment_selection", "link_selection"}
    for placement in placements.values():
        assert placement["message_type"] == "LtiDeepLinkingRequest"
        assert placement["target_link_uri"] == live_server.url + "/lti/launch/"


def test_required_fields_and_scopes(canvas_json: dict[str, Any]) -> None:
    assert canvas_json["title"] and canvas_json["description"]
    assert canvas_json["custom_fields"] == {}
    assert set(canvas_json["scopes"]) == {
        AGS + "lineitem",
        AGS + "lineitem.readonly",
        AGS + "result.readonly",
        AGS + "score",
        NRPS,
    }


def test_urls_follow_the_host_the_request_came_to(live_server: Any) -> None:
    """The URLs are built from the request, so another name of the same server shows."""
    port = urlsplit(live_server.url).port
    other_host = "127.0.0.1" if urlsplit(live_server.url).hostname == "localhost" else "localhost"
    response = requests.get(f"http://{other_host}:{port}/lti/canvas.json", timeout=10)
    assert response.json()["oidc_initiation_url"] == f"http://{other_host}:{port}/lti/login/"
