"""In Chromium: a teacher sees when a video will expire, deletes it with a reason, and the
row leaves the list; the video is gone from storage and the deletion is logged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dev_lms.roster import person_by_key
from lti_tool.models import Submission, VideoEvent
from storage_backends.registry import get_backend
from tests.e2e.test_student_to_teacher import READY_TIMEOUT_MS, launch_as, open_dev_lms
from tests.fixtures.browser import BrowserProblems

pytestmark = pytest.mark.browser
ADA = person_by_key("ada")


def test_a_teacher_deletes_a_video_with_a_reason(
    page: Any, base_url: str, sample_video: Path, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)

    tool = launch_as(page, "dana")
    row = tool.locator("#submissions tr[data-submission-id]").first
    expect(row.locator("th")).to_have_text(ADA.name)
    row.locator("button.play").click()  # opens Ada's submission in the workspace
    action = tool.locator("#deletion-action")
    expect(action.locator(".expiry")).to_contain_text("Kept until")  # 90 days, the default
    action.locator("button.delete").click()
    dialog = tool.locator("dialog[open]")
    expect(dialog).to_contain_text(f"Delete the video by {ADA.name}?")
    dialog.locator("button[type=submit]").click()  # no reason yet: the browser asks for one
    expect(dialog).to_be_visible()
    dialog.locator("#delete-reason").fill("The wrong file was uploaded")
    dialog.locator("button[type=submit]").click()

    expect(tool.locator("#submissions tr[data-submission-id]")).to_have_count(0)
    expect(tool.locator("#empty")).to_be_visible()
    submission = Submission.objects.get(student__sub=ADA.sub)
    assert submission.state == Submission.State.DELETED and submission.purged_at is not None
    assert not get_backend().video_exists(submission.video_id)
    event = submission.events.get(kind=VideoEvent.Kind.DELETION)
    assert event.details["reason"] == "The wrong file was uploaded"
    browser_problems.assert_none()


def test_a_student_withdraws_their_video_before_the_due_date(
    page: Any, base_url: str, sample_video: Path, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    expect(tool.locator("#withdraw")).to_be_hidden()  # nothing handed in yet
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)

    tool.locator("#withdraw").click()
    dialog = tool.locator("dialog[open]")
    expect(dialog).to_contain_text("Withdraw your video?")
    dialog.locator("button[type=submit]").click()

    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    expect(tool.locator("#status")).to_contain_text("You have not submitted a video yet.")
    expect(tool.locator("#withdraw")).to_be_hidden()
    submission = Submission.objects.get(student__sub=ADA.sub)
    assert submission.state == Submission.State.DELETED and submission.purged_at is not None
    assert submission.events.get(kind=VideoEvent.Kind.DELETION).details["by"] == "student"
    browser_problems.assert_none()
