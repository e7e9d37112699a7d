"""Platform storage (LTI Client Side postMessages): a switch, the frame, lti_storage_target."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from tests.dev_lms.launch import auth_params, form_field

pytestmark = pytest.mark.urls("tests.dev_lms.urls")


def switch_storage(client: Client, on: bool) -> Any:
    return client.post(
        "/dev-lms/platform-storage/preference/", {"use_platform_storage": "1"} if on else {}
    )


def test_launches_use_no_platform_storage_by_default(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    html = client.get("/dev-lms/").content.decode()

    assert 'data-testid="use-platform-storage"' in html
    assert "lti_storage_target" not in html
    assert 'name="dev-lms-storage"' not in html


def test_switching_storage_on_adds_the_storage_frame_and_target(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    response = switch_storage(client, on=True)

    assert response.status_code == 303
    assert response["Location"] == "/dev-lms/"
    html = client.get("/dev-lms/").content.decode()
    # Every launch form in the page (4 people + deep linking) names the storage frame.
    assert html.count('name="lti_storage_target" value="dev-lms-storage"') == 5
    assert '<iframe name="dev-lms-storage" src="/dev-lms/platform-storage/"' in html
    assert "lti.capabilities.response" in html
    assert re.search(r'data-testid="use-platform-storage"\s+checked\b', html)


def test_new_tab_launches_never_name_the_storage_frame(
    client: Client, registrations: list[dict[str, Any]]
) -> None:
    switch_storage(client, on=True)
    html = client.get("/dev-lms/").content.decode()

    href = html.split('data-testid="launch-ada-new-tab"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "lti_storage_target" not in dict(parse_qsl(urlsplit(href.replace("&amp;", "&")).query))


def test_the_launch_repeats_the_storage_target(client: Client) -> None:
    switch_storage(client, on=True)

    html = client.get("/dev-lms/auth/", auth_params()).content.decode()

    assert form_field(html, "lti_storage_target") == "dev-lms-storage"


def test_switching_storage_off_again(client: Client, registrations: list[dict[str, Any]]) -> None:
    switch_storage(client, on=True)
    switch_storage(client, on=False)

    assert "lti_storage_target" not in client.get("/dev-lms/").content.decode()
    assert "lti_storage_target" not in client.get("/dev-lms/auth/", auth_params()).content.decode()


def test_the_storage_frame_answers_put_and_get(client: Client) -> None:
    response = client.get("/dev-lms/platform-storage/")

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = response.content.decode()
    for subject in ("lti.put_data.response", "lti.get_data.response", "unsupported_subject"):
        assert subject in html
