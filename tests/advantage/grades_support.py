"""Helpers for the deep linking, grades and submission review tests (their fixtures are in
tests/fixtures/lms.py).

The LMS is the independent platform in tests/lti_platform (real HTTP, its own keys); the
tool runs in pytest-django's `live_server`. After a launch, tests talk to the tool as the
page's JavaScript does (launch token, JSON API, tus upload) and read the page's HTML.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.fixtures.live_api import LiveApi, tus_uploader
from tests.lti_platform import claims as c
from tests.lti_platform.driver import browser_request
from tests.lti_platform.lms import LmsPlatform

_LAUNCH_DATA = re.compile(r'<script id="launch-data" type="application/json">(.*?)</script>', re.S)
_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def launch_data(response: requests.Response) -> dict[str, Any]:
    """What the page hands its JavaScript (`json_script` output)."""
    assert response.status_code == 200, response.text[:800]
    match = _LAUNCH_DATA.search(response.text)
    assert match, f"no launch data in the page: {response.text[:500]}"
    return json.loads(match.group(1))


def api_for(live_server: Any, response: requests.Response) -> LiveApi:
    return LiveApi(live_server.url, launch_data(response)["token"])


def hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in _INPUT.findall(page):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return fields


def page_text(page: str, element_id: str) -> str:
    """The text of the element with that id (tags stripped, whitespace collapsed)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no #{element_id} in the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def post_form(session: requests.Session, url: str, data: dict[str, str]) -> requests.Response:
    """A browser submitting a form of the tool's page (inside the LMS's iframe)."""
    return browser_request(session, "POST", url, data=data)


def submit_video(api: LiveApi, video: Path) -> dict[str, Any]:
    """The student's page: ticket, tus upload, confirm. Returns the confirmed submission."""
    started = api.start_upload(video)
    tus_uploader(api.base_url, started["ticket"], video).upload()
    confirmed = api.confirm(started["submission"]["id"])
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()


def graded_scores(lms: LmsPlatform, person: str) -> list[dict[str, Any]]:
    sub = lms.people[person].sub
    return [
        s
        for s in lms.ags.scores
        if s["userId"] == sub and s.get("gradingProgress") == "FullyGraded"
    ]


def ags_token_requests(lms: LmsPlatform) -> list[dict[str, Any]]:
    return [r for r in lms.token_requests if c.SCOPE_SCORE in r["scope"]]


def wait_for(check: Callable[[], Any], *, timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")
