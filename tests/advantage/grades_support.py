"""Helpers for the deep linking, grades and submission review tests.

The LMS is the independent platform in tests/lti_platform (real HTTP, its own keys); the
tool runs in pytest-django's `live_server`. After a launch, tests talk to the tool as the
page's JavaScript does (launch token, JSON API, tus upload) and read the page's HTML.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.management import call_command

from tests.live_api import LiveApi, tus_uploader
from tests.lti_platform import claims as c
from tests.lti_platform.driver import browser_request
from tests.lti_platform.lms import LmsPlatform

_LAUNCH_DATA = re.compile(
    r'<script id="launch-data" type="application/json">(.*?)</script>', re.S
)
_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def register(lms: LmsPlatform, live_server: Any) -> LmsPlatform:
    """The platform registered with the tool by an administrator (the management command)."""
    lms.tool_url = live_server.url
    with open(os.devnull, "w") as devnull:
        call_command("register_platform", *lms.register_args(), stdout=devnull)
    return lms


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
    return [s for s in lms.ags.scores
            if s["userId"] == sub and s.get("gradingProgress") == "FullyGraded"]


def ags_token_requests(lms: LmsPlatform) -> list[dict[str, Any]]:
    return [r for r in lms.token_requests if c.SCOPE_SCORE in r["scope"]]


def wait_for(check: Callable[[], Any], *, timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


@pytest.fixture
def sample_video(tmp_path: Path) -> Path:
    """Bytes the local backend accepts as an upload (nothing here needs a real video)."""
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))
    return video


@pytest.fixture
def moodle(live_server: Any, moodle_lms: LmsPlatform) -> LmsPlatform:
    """A Moodle-shaped LMS (two deployment ids, `?type_id=1` on AGS URLs), registered."""
    return register(moodle_lms, live_server)


@pytest.fixture
def canvas(live_server: Any, canvas_lms: LmsPlatform) -> LmsPlatform:
    """A Canvas-shaped LMS (issuer https://canvas.instructure.com, azp), registered."""
    return register(canvas_lms, live_server)


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks run in the request that enqueues them (after its commit), whatever the env says."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
