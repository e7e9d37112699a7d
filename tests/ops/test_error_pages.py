"""Every 4xx and 5xx a person can meet is the tool's own page (or JSON under /api/)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def production_errors(settings: Any, db: None) -> None:
    """Django's handlers answer only with DEBUG off (DEBUG shows its technical pages);
    the CSP header reads the registrations."""
    settings.DEBUG = False


def test_get_on_the_launch_url_explains_itself(client: Client, production_errors: None) -> None:
    response = client.get("/lti/launch/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "only opens from your course" in page
    assert 'id="error-message"' in page


def test_unknown_page_is_the_tools_page(client: Client, production_errors: None) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
    assert "Page not found at" not in response.content.decode()  # not Django's


def test_unknown_api_route_answers_json(client: Client, production_errors: None) -> None:
    response = client.get("/api/no-such-route")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_crash_in_a_page_is_the_tools_500_page(
    db: None, production_errors: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis down")

    monkeypatch.setattr("lti_tool.views.lti.oidc_login", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/lti/login/", {"iss": "https://lms.example"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "Server Error (500)" not in page


def test_a_crash_in_the_api_is_json(
    db: None, production_errors: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("database gone")

    monkeypatch.setattr("lti_tool.api.LaunchTokenAuth.authenticate", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/my-submission", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_csrf_failure_is_the_tools_page(db: None, production_errors: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "You do not have access to this." in response.content.decode()


_HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "heading"),
    [
        ("get", "/no-such-page/", {}, 404, "The video tool could not do this (error 404)"),
        ("post", "/lti/launch/", {"id_token": "x", "state": "y"}, 400, "could not open"),
        ("get", "/lti/register/", {}, 400, "The video tool could not be registered"),
        ("post", "/lti/assignment/", {"launch_token": "x"}, 401, "could not do this"),
    ],
)
def test_each_error_page_says_what_failed(
    client: Client,
    production_errors: None,
    method: str,
    path: str,
    data: dict[str, str],
    status: int,
    heading: str,
) -> None:
    response = getattr(client, method)(path, data)
    assert response.status_code == status
    page = response.content.decode()
    match = _HEADING.search(page)
    assert match, page[:300]
    assert heading in html.unescape(match.group(1))
    assert f"<title>{match.group(1)}</title>" in page
    assert 'id="error-message"' in page
