"""The OIDC state cookie: partitioned (CHIPS), and what a launch that lost it shows.

The browser behaviour (a partitioned cookie kept while third-party cookies are blocked, the
new window that works) is in tests/e2e/test_platform_storage_browser.py; here the headers
and the page, over Django's test client.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fixtures.platform import LaunchDriver
from tests.lti.support import db_snapshot, error_message


def _state_cookie_header(response: Any) -> str:
    [cookie] = [c for name, c in response.cookies.items() if name.startswith("lti1p3-state-")]
    return cookie.output(header="").strip()


def test_state_cookie_is_partitioned_secure_and_cross_site(launcher: LaunchDriver) -> None:
    response = launcher.client.get(
        "/lti/login/",
        {
            "iss": launcher.platform.issuer,
            "login_hint": "user",
            "client_id": launcher.platform.client_id,
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_message_hint": "hint",
        },
    )

    header = _state_cookie_header(response)
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"secure", "httponly", "samesite", "partitioned"} <= attributes, header
    assert "SameSite=None" in header


def test_state_cookie_without_partitioned_when_turned_off(
    launcher: LaunchDriver, settings: Any
) -> None:
    settings.LTI_COOKIE_PARTITIONED = False
    launcher.login()
    [cookie] = [c for name, c in launcher.client.cookies.items() if name.startswith("lti1p3-")]
    assert "Partitioned" not in cookie.output()


def test_accepted_launch_removes_its_state_cookie(launcher: LaunchDriver) -> None:
    """Used once: its nonce is consumed. Kept, it would ride along on every request to the
    tool for five minutes, one more per launch."""
    login = launcher.login()
    [name] = [n for n in launcher.client.cookies if n.startswith("lti1p3-state-")]
    token = launcher.platform.sign(launcher.platform.claims(nonce=login["nonce"]))

    response = launcher.post(token, login["state"])

    assert response.status_code == 200
    assert [n for n in response.cookies if n.startswith("lti1p3-")] == [name]
    removal = response.cookies[name]
    assert removal.value == ""
    assert removal["max-age"] == 0
    # The attributes it was set with: else a browser keeps the partitioned cookie.
    header = removal.output(header="")
    assert {"Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/"} <= {
        part.strip() for part in header.split(";")
    }, header


def test_refused_launch_leaves_the_state_cookie(launcher: LaunchDriver) -> None:
    """A launch refused before its nonce was used may be posted again (a reload)."""
    login = launcher.login()
    token = launcher.platform.sign(
        launcher.platform.claims(nonce=login["nonce"], aud="another-client")
    )

    response = launcher.post(token, login["state"])

    assert response.status_code == 403  # no such registration: refused
    assert not [n for n in response.cookies if n.startswith("lti1p3-")]


def test_launch_that_lost_its_cookie_says_why_and_offers_the_same_login_in_a_new_window(
    launcher: LaunchDriver,
) -> None:
    login = launcher.login(login_hint="ada", lti_message_hint="resource-7")
    launcher.client.cookies.clear()  # what a browser blocking the cookie sends back
    token = launcher.platform.sign(launcher.platform.claims(nonce=login["nonce"]))
    before = db_snapshot()

    response = launcher.post(token, login["state"])

    assert response.status_code == 400
    assert db_snapshot() == before
    message = error_message(response)
    assert "blocks the video tool's cookies inside your course page" in message
    assert "does not offer the storage" in message
    link = re.search(
        r'<a id="open-in-new-window"[^>]*href="([^"]+)"[^>]*target="_blank"',
        response.content.decode(),
    )
    assert link, response.content.decode()
    url = urlsplit(html.unescape(link.group(1)))
    assert url.path == "/lti/login/"
    params = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert params == {
        "iss": launcher.platform.issuer,
        "login_hint": "ada",
        "client_id": launcher.platform.client_id,
        "target_link_uri": "http://testserver/lti/launch/",
        "lti_message_hint": "resource-7",
        "lti_deployment_id": launcher.platform.deployment_id,
    }
    # The link starts a login of its own (a new state, the same platform and hints).
    again = launcher.client.get(url.path + "?" + url.query)
    assert again.status_code == 302
    assert parse_qs(urlsplit(again["Location"]).query)["login_hint"] == ["ada"]


def test_unknown_state_without_cookie_offers_no_new_window(launcher: LaunchDriver) -> None:
    login = launcher.login()
    token = launcher.platform.sign(launcher.platform.claims(nonce=login["nonce"]))

    response = launcher.post(token, "state-nobody-issued")

    assert response.status_code == 400
    assert "did not bring back the login state" in error_message(response)
    assert b"open-in-new-window" not in response.content
