"""Browser end-to-end fixtures: a live server on 127.0.0.1, Debian's Chromium via Playwright,
a real sample video made by ffmpeg, and a page that records console and page errors.

Chromium and ffmpeg are part of the test environment (tests/run.sh installs them): under
CI=true a missing one fails the run; elsewhere the browser tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from pytest_django.live_server_helper import LiveServer

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
# --no-sandbox: we run as root. The rest keep Chromium off the network (this machine's
# network is closed; background connections would only add noise and delays).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
BUNDLE_DIR = Path(settings.BASE_DIR) / "lti_tool" / "static" / "lti_tool" / "dist"
DEFAULT_TIMEOUT_MS = 15_000


def _missing(what: str) -> None:
    """A missing piece of the test environment: fails under CI, skips elsewhere."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(what)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """When a browser test fails, save a screenshot of its page and name it in the report."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    if report.when == "call" and report.failed and "page" in funcargs:
        path = Path(funcargs["tmp_path"]) / "failure.png"
        try:
            funcargs["page"].screenshot(path=str(path), full_page=True)
            note = f"Screenshot of the page at failure: {path}"
        except Exception as exc:  # noqa: BLE001 - a broken page must not hide the failure
            note = f"No screenshot at failure: {exc}"
        print(f"\n{note}")
        report.sections.append(("screenshot", note))
        problems = funcargs.get("browser_problems")
        if problems is not None and problems.messages:
            report.sections.append(("browser errors", "\n".join(problems.messages)))
    return report


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, but on 127.0.0.1 (its default is "localhost").

    The dev LMS registers its issuer from the host the browser used, and the tool's launch
    cookies are `SameSite=None; Secure`, which Chromium keeps on plain http only for
    127.0.0.1 and localhost: one fixed host keeps every URL of a launch on one origin.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "127.0.0.1"
    )
    server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def base_url(live_server: LiveServer) -> str:
    if not settings.DEV_LMS_ENABLED:
        pytest.fail("The browser tests need the development LMS (settings.DEV_LMS_ENABLED).")
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real H.264 MP4: 3 s of ffmpeg's test pattern, 320x240, moov atom first."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        _missing("ffmpeg is not installed (apt-get install ffmpeg)")
    path = tmp_path_factory.mktemp("media") / "sample.mp4"
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=duration=3:size=320x240:rate=25", "-pix_fmt", "yuv420p",
         "-c:v", "libx264", "-movflags", "+faststart", str(path)],
        check=True, timeout=60,
    )
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not (BUNDLE_DIR / "student.js").is_file() or not (BUNDLE_DIR / "teacher.js").is_file():
        _missing(
            f"the front-end bundle is missing in {BUNDLE_DIR} "
            "(npm --prefix frontend ci && npm --prefix frontend run build)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread for as long
    # as it is started, so Django's ORM (the test's own queries and pytest-django's database
    # flush) would refuse to run: "You cannot call this from an async context". Nothing here
    # is really async - the ORM calls run between Playwright calls - so allow them, and only
    # while Playwright runs (module scope: the rest of the suite keeps Django's check).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class BrowserProblems:
    """Console errors and uncaught exceptions from the page and its frames."""

    messages: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # substrings a test declares harmless

    def add(self, message: str) -> None:
        if not any(part in message for part in self.expected):
            self.messages.append(message)

    def assert_none(self) -> None:
        assert not self.messages, "The browser reported errors:\n  " + "\n  ".join(self.messages)


def _is_favicon(message: Any) -> bool:
    location = message.location or {}
    return "favicon.ico" in (location.get("url") or "") or "favicon.ico" in message.text


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(browser: Any, browser_problems: BrowserProblems, tmp_path: Path) -> Iterator[Any]:
    """A fresh browser context and page (the report hook screenshots it if the test fails)."""
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()

    def on_console(message: Any) -> None:
        if message.type == "error" and not _is_favicon(message):
            where = (message.location or {}).get("url", "")
            browser_problems.add(f"console.error: {message.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: browser_problems.add(f"page error: {error}"))
    yield page
    context.close()
