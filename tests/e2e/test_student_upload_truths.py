"""One true status on the student page: a file the server refuses never shows "complete",
a wrong or too large file gets one sentence, and Cancel puts the page back as it was while
the server ends the upload (ticket refused, partial bytes removed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dev_lms.roster import ASSIGNMENT, person_by_key
from lti_tool.models import Submission, VideoAssignment
from tests.e2e.test_s3_upload_browser import wait_for
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms, relaunch
from tests.fixtures.browser import BrowserProblems
from tests.fixtures.live_api import local_backend

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
READY_TIMEOUT_MS = 30_000


def choose_and_upload(tool: Any, path: Path) -> None:
    tool.locator("#uploader input[type=file]").first.set_input_files(path)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()


def test_a_text_file_named_mp4_fails_once_and_never_shows_complete(
    page: Any, base_url: str, tmp_path: Path, browser_problems: BrowserProblems
) -> None:
    fake = tmp_path / "my-video.mp4"
    fake.write_text("Not a video at all, only words.\n" * 500)
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")

    choose_and_upload(tool, fake)

    status = tool.locator("#status")
    expect(status).to_have_attribute("data-state", "failed", timeout=READY_TIMEOUT_MS)
    expect(status).to_contain_text("could not be read as a video")
    # Uppy let go of the file: no green tick, no "Upload complete", the drop zone is back.
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(0)
    expect(tool.locator(".uppy-StatusBar.is-complete")).to_have_count(0)
    expect(tool.get_by_text("Upload complete")).to_have_count(0)
    expect(status).not_to_contain_text("Submitted")
    expect(tool.locator("#error")).to_be_hidden()  # said once, in the status
    browser_problems.assert_none()


def test_a_video_over_the_limit_gets_one_sentence_with_both_sizes(
    page: Any, base_url: str, sample_video: Path, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)
    launch_as(page, "ada")
    expect(page.frame_locator("#tool-frame").locator(".uppy-Dashboard")).to_be_visible()
    VideoAssignment.objects.filter(resource_link_id=ASSIGNMENT.id).update(max_size_bytes=10_240)
    tool = relaunch(page)

    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)

    error = tool.locator("#error")
    expect(error).to_have_text(
        re.compile(r"^This video is [\d.]+ KB; the limit for this assignment is 10 KB\.$")
    )
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(0)
    expect(tool.locator(".uppy-Informer p")).to_have_count(0)
    assert not Submission.objects.exists()
    browser_problems.assert_none()


def test_cancel_puts_the_page_back_and_the_server_ends_the_upload(
    page: Any, base_url: str, sample_video: Path, browser_problems: BrowserProblems
) -> None:
    held: list[Any] = []  # the PATCH, never answered: the upload is under way
    patches = re.compile(r"/storage/local/tus/t\d+-[0-9a-f]{32}$")
    page.route(
        patches,
        lambda route: held.append(route) if route.request.method == "PATCH" else route.fallback(),
    )
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    before = tool.locator("#status").inner_text()

    choose_and_upload(tool, sample_video)
    expect(tool.locator("#status")).to_contain_text("Uploading…")
    wait_for(page, lambda: bool(held), "the upload's PATCH was never sent")
    tool.locator("[data-cy=cancel]").click()  # the status bar's Cancel

    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    assert tool.locator("#status").inner_text() == before
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(0)
    submission = Submission.objects.get(student__sub=ADA.sub)
    assert submission.state == Submission.State.DELETED
    assert submission.events.filter(details__reason="cancelled").exists()
    folder = local_backend().files.upload_dir(submission.upload_ref)
    assert submission.upload_ref and not folder.exists(), "partial bytes were left behind"
    browser_problems.assert_none()


def test_the_due_date_is_shown_in_the_students_own_time_zone(
    browser: Any, base_url: str, browser_problems: BrowserProblems
) -> None:
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-US")
    try:
        page = context.new_page()
        open_dev_lms(page, base_url)
        launch_as(page, "ada")
        expect(page.frame_locator("#tool-frame").locator(".uppy-Dashboard")).to_be_visible()
        due = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # midnight, 3 December, in Tokyo
        VideoAssignment.objects.filter(resource_link_id=ASSIGNMENT.id).update(due_at=due)
        tool = relaunch(page)

        expect(tool.locator("#due-date")).to_have_text(
            "Due Thursday, December 3, 2026 at 12:00 AM GMT+9"
        )
        assert tool.locator("#due-date time").get_attribute("datetime") == due.isoformat()
    finally:
        context.close()
