"""The LTI launch in Chromium with third-party cookies blocked: with the partitioned (CHIPS)
state cookie on a platform without storage, through the platform storage, and in a new window
when neither can work.

The LMS is the independent platform of tests/lti_platform: its course page is served on
`localhost`, the tool (pytest-django's live server) on `127.0.0.1`, so the tool's iframe is
cross-site and its cookies are third-party. The platform's storage frame lives on the origin
of its OIDC auth URL (127.0.0.1, another port), as the spec asks.

How the cookies are blocked: a Chromium profile whose preference
`profile.cookie_controls_mode` is 1 ("block third-party cookies", the setting behind
chrome://settings/cookies). The `--test-third-party-cookie-phaseout` switch changes nothing
on this Chromium (156, where a fresh profile already blocks them), so the block is set
explicitly, and proved in the same browser: the cookie-only launch with an unpartitioned
cookie (`LTI_COOKIE_PARTITIONED` off: a browser without CHIPS) fails there, and the very same
launch works in a profile with mode 0 (third-party cookies allowed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

import lti_tool.lti.launch
from lti_tool.models import LtiUser
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS
from tests.lti_platform import LmsPlatform, start_platform

LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"

pytestmark = pytest.mark.browser

STORAGE_FRAME = "post_message_forwarding"  # Canvas's name for it
BLOCKED_SAYS = "it blocks the video tool's cookies inside your course page"
READY_TIMEOUT_MS = 30_000
PLAYER_VIDEO = "#player-container video"


@pytest.fixture
def without_chips(settings: Any) -> None:
    """The state cookie without `Partitioned`: what a browser without CHIPS keeps of it."""
    settings.LTI_COOKIE_PARTITIONED = False


class BrowserWindow:
    """A page in a Chromium profile, with the console errors of the page and its frames."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _on_console(self, message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error" and "favicon.ico" not in where:
            self.errors.append(f"console.error: {message.text} ({where})")

    def open_course(self, lms: LmsPlatform, **launch: Any) -> Any:
        """Open the LMS course page that launches the tool; returns the tool frame's scope."""
        self.page.goto(lms.course_page_url("s1", **launch))
        return self.page.frame_locator("#tool")

    def tool_cookies(self, tool_url: str) -> list[str]:
        """The tool's unpartitioned cookies (the ones a third-party block drops)."""
        return [
            cookie["name"]
            for cookie in self.context.cookies(tool_url)
            if not cookie.get("partitionKey")
        ]

    def partitioned_tool_cookies(self) -> list[str]:
        """The tool's cookies kept in the course page's partition (read in the tool frame's
        DevTools session: Playwright's cookie list leaves partitioned cookies out here)."""
        frame = self.page.frame(name="tool")
        assert frame is not None
        session = self.context.new_cdp_session(self.page)
        cookies = session.send("Network.getCookies", {"urls": [frame.url]})["cookies"]
        return [cookie["name"] for cookie in cookies if cookie.get("partitionKey")]


OpenBrowser = Callable[..., BrowserWindow]


@pytest.fixture
def open_browser(browser: Any, tmp_path: Path) -> Iterator[OpenBrowser]:
    """Start Chromium with a fresh profile that blocks or allows third-party cookies.

    `browser` (tests/fixtures/browser.py) provides Playwright, the skips and the ORM setting;
    a persistent context is needed because only a profile carries the cookie preference.
    """
    contexts: list[Any] = []

    def open_with(*, third_party_cookies: bool) -> BrowserWindow:
        profile = tmp_path / f"profile-{len(contexts)}"
        (profile / "Default").mkdir(parents=True)
        preferences = {"profile": {"cookie_controls_mode": 0 if third_party_cookies else 1}}
        (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
        context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 1400},
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return BrowserWindow(context)

    yield open_with
    for context in contexts:
        context.close()


@pytest.fixture
def lms(live_server: LiveServer, transactional_db: None) -> Iterator[LmsPlatform]:
    """A Canvas-shaped LMS registered with the tool, as an administrator does it."""
    platform = start_platform("canvas")
    platform.tool_url = live_server.url
    assert "127.0.0.1" in platform.tool_url and "localhost" in platform.browser_url
    with open(os.devnull, "w") as quiet:
        call_command("register_platform", *platform.register_args(), stdout=quiet)
    yield platform
    platform.stop()


def upload_and_play(window: BrowserWindow, tool: Any, video: Path) -> None:
    """The student uploads `video` in the tool frame (launch token, no cookie) and plays it."""
    tool.locator("#uploader input[type=file]").first.set_input_files(video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#player-section")).to_be_visible()
    tool.locator(PLAYER_VIDEO).evaluate("video => { video.muted = true; return video.play() }")
    window.page.frame(name="tool").wait_for_function(
        """() => { const v = document.querySelector('#player-container video');
                   return !!v && !v.error && v.currentTime > 0.2; }""",
        timeout=15_000,
    )


def storage_log(window: BrowserWindow, frame_name: str = STORAGE_FRAME) -> list[dict[str, Any]]:
    frame = window.page.frame(name=frame_name) if frame_name else window.page.main_frame
    assert frame is not None, f"the course page has no frame named {frame_name}"
    return frame.evaluate("window.ltiStorageLog || []")


def test_launch_through_platform_storage_with_third_party_cookies_blocked(
    open_browser: OpenBrowser, lms: LmsPlatform, without_chips: None, sample_video: Path
) -> None:
    window = open_browser(third_party_cookies=False)
    student = lms.people["s1"]

    tool = window.open_course(lms)

    # The student page, and its API calls with the launch token, all without a cookie.
    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {student.name}")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    assert window.tool_cookies(lms.tool_url or "") == []  # the state cookie was refused
    assert LtiUser.objects.filter(sub=student.sub).count() == 1

    # The platform's storage frame saw the tool put, then get, this login's state and nonce.
    auth = lms.auth_requests[-1]
    keys = {
        f"lti_state_{auth['state']}": auth["state"],
        f"lti_nonce_{auth['nonce']}": auth["nonce"],
    }
    log = storage_log(window)
    assert {entry["origin"] for entry in log} == {lms.origin_of_tool()}
    assert not [entry for entry in log if "error" in entry["response"]], log
    by_subject: dict[str, dict[str, str]] = {}
    for entry in log:
        request = entry["request"]
        by_subject.setdefault(request["subject"], {})[request["key"]] = entry["response"]["value"]
    assert by_subject == {"lti.put_data": keys, "lti.get_data": keys}
    # The handshake came first, from the tool, answered by the course page (Canvas's way).
    assert window.page.evaluate("window.ltiCapabilitiesLog.length") == 2  # login and launch

    upload_and_play(window, tool, sample_video)
    assert window.tool_cookies(lms.tool_url or "") == []
    assert window.errors == []


def test_partitioned_cookie_launch_upload_and_play_without_platform_storage(
    open_browser: OpenBrowser, lms: LmsPlatform, sample_video: Path
) -> None:
    """A platform without storage (Moodle): the partitioned state cookie carries the launch
    (without `Partitioned` the same launch fails: `test_lost_state_says_why...`), and is
    removed once used; then the student uploads and plays her video, all inside the
    cross-site iframe."""
    window = open_browser(third_party_cookies=False)

    tool = window.open_course(lms, storage_target="")

    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {lms.people['s1'].name}")
    assert not [n for n in window.partitioned_tool_cookies() if n.startswith("lti1p3-state-")]
    upload_and_play(window, tool, sample_video)
    assert window.errors == []


def test_lost_state_says_why_and_opens_in_a_new_window(
    open_browser: OpenBrowser, lms: LmsPlatform, without_chips: None
) -> None:
    """Proof that the block is on (an unpartitioned cookie is dropped), and what the person
    then sees: why, in words, and a link that opens the same launch in a window of its own."""
    window = open_browser(third_party_cookies=False)

    tool = window.open_course(lms, storage_target="")

    expect(tool.locator("#error-message")).to_contain_text(BLOCKED_SAYS)
    expect(tool.locator("#error-message")).to_contain_text("does not offer the storage")
    assert window.tool_cookies(lms.tool_url or "") == []
    assert not LtiUser.objects.exists()
    assert lms.auth_requests, "the login did reach the platform: only the cookie was missing"

    with window.context.expect_page() as opened:
        tool.locator("#open-in-new-window").click()
    popup = opened.value
    expect(popup.locator(".lti-user")).to_have_text(f"Signed in as {lms.people['s1'].name}")
    assert popup.url.startswith(lms.tool_url or "")
    assert LtiUser.objects.filter(sub=lms.people["s1"].sub).count() == 1
    assert [error for error in window.errors if "status of 400" not in error] == []


def test_cookie_only_launch_works_where_third_party_cookies_are_allowed(
    open_browser: OpenBrowser, lms: LmsPlatform, without_chips: None
) -> None:
    """The same launch in a profile that allows them: the failure above is the block's. The
    state cookie is removed once the launch used it."""
    window = open_browser(third_party_cookies=True)

    tool = window.open_course(lms, storage_target="")

    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {lms.people['s1'].name}")
    assert not [n for n in window.tool_cookies(lms.tool_url or "") if n.startswith("lti1p3-")]
    assert window.errors == []


def test_storage_in_a_window_of_another_origin_is_not_trusted(
    open_browser: OpenBrowser,
    lms: LmsPlatform,
    monkeypatch: pytest.MonkeyPatch,
    without_chips: None,
) -> None:
    """`_parent` here is the course page on localhost, an origin neither the platform's auth
    URL nor its signed id_token names: it receives the messages only when they are sent to
    "*", and its answers do not count, so the launch cannot be proved and is not opened."""
    # Shorter waits for the answers that never come (the live server runs in this process).
    monkeypatch.setattr(lti_tool.lti.launch, "STORAGE_TIMEOUT_MS", 1000)
    window = open_browser(third_party_cookies=False)

    tool = window.open_course(lms, storage_target="_parent")

    expect(tool.locator("#error-message")).to_contain_text(BLOCKED_SAYS)
    expect(tool.locator("#open-in-new-window")).to_be_visible()
    subjects = [entry["request"]["subject"] for entry in storage_log(window, frame_name="")]
    assert "lti.get_data" in subjects  # asked (with "*") and answered, but not believed
    assert not LtiUser.objects.exists()


def test_storage_that_only_answers_messages_sent_to_any_origin(
    open_browser: OpenBrowser,
    lms: LmsPlatform,
    monkeypatch: pytest.MonkeyPatch,
    without_chips: None,
) -> None:
    """An older platform: its storage frame is on its course page's origin, not its auth URL's,
    so messages sent to the auth origin never arrive; sent again to "*", they do, and the
    answers count because the platform's signed id_token names that origin (return_url)."""
    monkeypatch.setattr(lti_tool.lti.launch, "STORAGE_TIMEOUT_MS", 1000)
    window = open_browser(third_party_cookies=False)
    presentation = {"document_target": "iframe", "return_url": lms.browser_url + "/course-return"}

    tool = window.open_course(
        lms,
        storage_on="browser",
        claim_overrides={LAUNCH_PRESENTATION: presentation},
    )

    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {lms.people['s1'].name}")
    subjects = [entry["request"]["subject"] for entry in storage_log(window)]
    assert subjects.count("lti.get_data") == 2
    assert window.tool_cookies(lms.tool_url or "") == []
    assert window.errors == []
