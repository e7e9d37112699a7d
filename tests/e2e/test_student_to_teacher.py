"""End to end in a real browser: the dev LMS launches the tool, a student uploads a real
video over tus, it becomes ready and plays; the teacher sees it in the list and plays it.

Everything is real: Chromium, the dev LMS's LTI 1.3 login and launch inside its iframe,
the built front end (Uppy, Video.js), the local storage backend (PyAV probes), PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dev_lms.roster import ASSIGNMENT, person_by_key
from lti_tool.models import Submission, VideoEvent
from tests.fixtures.browser import BrowserProblems

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
DANA = person_by_key("dana")
READY_TIMEOUT_MS = 30_000
VIDEO = "#player-container video"


def open_dev_lms(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/dev-lms/")
    expect(page.locator("#tool-frame")).to_be_attached()


def launch_as(page: Any, key: str) -> Any:
    """Press a launch button on the dev LMS page; returns the tool frame's locator scope."""
    page.locator(f"[data-testid=launch-{key}]").click()
    return page.frame_locator("#tool-frame")


def tool_frame(page: Any) -> Any:
    """The iframe's Frame object (the same across the launches that navigate it)."""
    frame = page.frame(name="tool-frame")
    assert frame is not None, "the dev LMS page has no tool-frame iframe"
    return frame


def relaunch(page: Any) -> Any:
    """Launch Ada again (after a change to the assignment) and wait for the new page."""
    tool_frame(page).evaluate("() => { window.beforeRelaunch = true }")
    tool = launch_as(page, "ada")
    tool_frame(page).wait_for_function(
        "() => !window.beforeRelaunch && !!document.querySelector('.uppy-Dashboard')"
    )
    return tool


def wait_until_playing(page: Any, past_seconds: float) -> None:
    """Polls the tool frame's <video> until its currentTime passes `past_seconds`."""
    tool_frame(page).wait_for_function(
        """(past) => {
            const video = document.querySelector('#player-container video');
            return !!video && !video.error && video.currentTime > past;
        }""",
        arg=past_seconds,
        timeout=15_000,
        polling=100,
    )


def video_problem(page: Any) -> str:
    """For assertion messages: what the <video> element reports about itself."""
    return tool_frame(page).evaluate(
        """() => {
            const v = document.querySelector('#player-container video');
            if (!v) return 'no <video> in #player-container';
            return JSON.stringify({src: v.currentSrc, readyState: v.readyState,
                networkState: v.networkState, error: v.error && v.error.message,
                paused: v.paused, currentTime: v.currentTime});
        }"""
    )


def test_student_uploads_and_teacher_plays(
    page: Any, base_url: str, sample_video: Path, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)

    # --- Ada, a student: upload the sample video through Uppy (tus to the local backend).
    tool = launch_as(page, "ada")
    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {ADA.name}")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator(".uppy-StatusBar.is-complete")).to_be_attached(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#status")).to_contain_text(sample_video.name)
    expect(tool.locator("#error")).to_be_hidden()

    # Her own video is shown and plays (muted: no autoplay policy can object).
    expect(tool.locator("#player-section")).to_be_visible()
    student_video = tool.locator(VIDEO)
    expect(student_video).to_be_attached()
    student_video.evaluate("video => { video.muted = true; return video.play() }")
    try:
        wait_until_playing(page, 0.0)
    except Exception as exc:
        raise AssertionError(f"the student's video did not play: {video_problem(page)}") from exc

    # --- Dana, the teacher: the same assignment's grading view, in the same frame.
    tool = launch_as(page, "dana")
    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {DANA.name}")
    rows = tool.locator("#submissions tr[data-submission-id]")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("th")).to_have_text(ADA.name)
    expect(row).to_have_attribute("data-state", "ready")
    expect(row.locator("td").first).to_have_text("Ready")
    play_button = row.locator("button.play")
    expect(play_button).to_be_enabled()
    play_button.click()

    expect(tool.locator("#player-section")).to_be_visible()
    expect(tool.locator("#player-heading")).to_have_text(ADA.name)
    teacher_video = tool.locator(VIDEO)
    expect(teacher_video).to_be_attached()
    # Press Video.js's own play button, as a teacher would: a real click is a user gesture.
    tool.locator("#player-container .vjs-big-play-button").click()
    try:
        wait_until_playing(page, 0.5)
    except Exception as exc:
        raise AssertionError(f"the teacher's player did not play: {video_problem(page)}") from exc

    # --- What the database says happened.
    current = Submission.objects.filter(
        assignment__resource_link_id=ASSIGNMENT.id,
        student__sub=ADA.sub,
        is_current=True,
    )
    assert current.count() == 1
    submission = current.get()
    assert submission.state == Submission.State.READY
    assert submission.filename == sample_video.name
    assert submission.size_bytes == sample_video.stat().st_size
    assert submission.duration_seconds == pytest.approx(3.0, abs=0.2)
    assert VideoEvent.objects.filter(
        kind=VideoEvent.Kind.PLAYBACK, submission=submission, user__sub=DANA.sub
    ).exists(), "no playback event was logged for the teacher"
    assert VideoEvent.objects.filter(
        kind=VideoEvent.Kind.PLAYBACK, submission=submission, user__sub=ADA.sub
    ).exists(), "no playback event was logged for the student"

    browser_problems.assert_none()


def test_student_cannot_upload_a_non_video(
    page: Any, base_url: str, tmp_path: Path, browser_problems: BrowserProblems
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("These are my notes, not a video.\n")
    open_dev_lms(page, base_url)

    tool = launch_as(page, "ada")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    tool.locator("#uploader input[type=file]").first.set_input_files(notes)

    # Refused in the browser with a sentence a student can act on, before any request.
    error = tool.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_have_text("This is a text file; choose a video (MP4, MOV, WebM…).")
    expect(tool.locator(".uppy-Informer p")).to_have_count(0)  # said once, by the page
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(0)
    expect(tool.locator(".uppy-StatusBar-actionBtn--upload")).to_have_count(0)
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")

    assert not Submission.objects.exists()
    browser_problems.assert_none()
