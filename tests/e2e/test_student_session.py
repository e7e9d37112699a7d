"""A page kept open longer than its launch token lives: it renews the token and still
saves; past the session's hard maximum it keeps the student's video in the browser, says
how to reopen the assignment, and the reopened page continues the upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dev_lms.roster import person_by_key
from lti_tool.models import Submission
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms
from tests.fixtures.browser import BrowserProblems

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
READY_TIMEOUT_MS = 30_000


def test_a_page_open_past_its_tokens_lifetime_still_saves(
    page: Any, base_url: str, sample_video: Path, settings: Any, browser_problems: BrowserProblems
) -> None:
    settings.LTI_LAUNCH_TOKEN_TTL = 3  # renewed every second
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    page.wait_for_timeout(5000)  # a long break: the first token is long expired

    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()

    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#error")).to_be_hidden()
    browser_problems.assert_none()


def test_past_the_hard_maximum_the_video_is_kept_and_the_page_says_how_to_reopen(
    page: Any, base_url: str, sample_video: Path, settings: Any, browser_problems: BrowserProblems
) -> None:
    browser_problems.expected.append("401 (Unauthorized)")
    settings.LTI_LAUNCH_TOKEN_TTL = 2
    settings.LTI_LAUNCH_SESSION_MAX = 4
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)

    error = tool.locator("#error")
    expect(error).to_contain_text("open the assignment again from your course", timeout=10_000)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()  # refused: nothing is lost
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(1)
    assert not Submission.objects.filter(state="ready").exists()

    # Reopened from the course, in the same browser: the kept video is sent and saved.
    settings.LTI_LAUNCH_SESSION_MAX = 12 * 3600
    page.reload()
    tool = launch_as(page, "ada")
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    saved = Submission.objects.get(student__sub=ADA.sub, is_current=True)
    assert saved.filename == sample_video.name
