"""In Chromium with its fake camera, microphone and screen: a student records a clip with
the camera or the screen, reviews it, submits it through the same upload path as a file
(local tus, S3, Cloudflare Stream), it becomes ready and plays. A recording stops itself
at the assignment's maximum length; an assignment can offer only some sources."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dev_lms.roster import ASSIGNMENT, person_by_key
from lti_tool.models import Submission, VideoAssignment
from tests.e2e.storage_support import (
    play_muted,
    s3_cors_on_posts,
    use_storage,
    video_state,
    wait_until_playing,
)
from tests.e2e.test_cloudflare_upload_browser import assert_stream_plays, stream, stream_tenant
from tests.e2e.test_s3_upload_browser import s3_tenant
from tests.e2e.test_student_page_a11y import violations
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms, relaunch, tool_frame
from tests.fakes.cloudflare_stream import FakeCloudflareStream
from tests.fakes.s3 import MotoServer, backend_options
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, BrowserProblems

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
READY_TIMEOUT_MS = 30_000
VIDEO = "#player-container video"
# Chromium's fake devices: a test-pattern camera, a beeping microphone, a synthetic screen,
# and every permission prompt answered "allow" (reference/browser-recording.md, section 2).
__all__ = ["s3_tenant", "stream", "stream_tenant"]  # fixtures used here, from their modules
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def media_browser(browser: Any) -> Iterator[Any]:
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(media_browser: Any, browser_problems: BrowserProblems) -> Iterator[Any]:
    """The browser fixture's page, in the Chromium with fake media devices."""
    context = media_browser.new_context(viewport={"width": 1200, "height": 1600})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "favicon" not in (m.location or {}).get("url", "")
            and browser_problems.add(f"console.error: {m.text}")
        ),
    )
    page.on("pageerror", lambda error: browser_problems.add(f"page error: {error}"))
    yield page
    context.close()


def record_with_camera(tool: Any, seconds: float, page: Any) -> None:
    tool.get_by_role("tab", name="Camera").click()
    tool.get_by_role("button", name="Begin video recording").click()
    expect(tool.locator("#recording-timer")).to_contain_text("Recording starts in 3")
    expect(tool.locator("#recording-timer")).to_contain_text("Recording 0:0", timeout=6000)
    page.wait_for_timeout(seconds * 1000)
    tool.get_by_role("button", name="Stop video recording").click()


def record_screen(tool: Any, seconds: float, page: Any) -> None:
    tool.get_by_role("tab", name="Screencast").click()
    tool.get_by_role("button", name="Begin screen capturing").click()
    expect(tool.locator("#recording-timer")).to_contain_text("Recording 0:0", timeout=8000)
    page.wait_for_timeout(seconds * 1000)
    tool.get_by_role("button", name="Stop screen capturing").click()


def submit_recording_and_wait_until_ready(page: Any, tool: Any) -> Submission:
    tool.get_by_role("button", name="Submit recorded file").click()
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#error")).to_be_hidden()
    frame = tool_frame(page)
    play_muted(frame, VIDEO)
    try:
        wait_until_playing(frame, VIDEO, 0.5)
    except Exception as exc:
        raise AssertionError(f"the recording did not play: {video_state(frame, VIDEO)}") from exc
    return Submission.objects.get(
        assignment__resource_link_id=ASSIGNMENT.id, student__sub=ADA.sub, is_current=True
    )


def test_a_camera_recording_is_submitted_and_plays_back(
    page: Any, base_url: str, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    expect(tool.locator(".uppy-Dashboard-browse")).to_be_visible()  # all sources by default

    record_with_camera(tool, 2.5, page)
    # Review before submitting: the recording plays in Uppy's panel; Discard re-records.
    expect(tool.get_by_role("button", name="Discard recorded file")).to_be_visible()
    submission = submit_recording_and_wait_until_ready(page, tool)

    assert submission.filename.startswith("webcam-")
    # The browser's own recording type (here MP4 or WebM, codecs parameters dropped).
    assert submission.filename.rsplit(".", 1)[-1] in ("webm", "mp4")
    assert submission.mime_type in ("video/webm", "video/mp4")
    assert submission.size_bytes and submission.size_bytes > 10_000
    browser_problems.assert_none()


def test_a_screen_recording_is_submitted_and_plays_back(
    page: Any, base_url: str, browser_problems: BrowserProblems
) -> None:
    # Uppy's screen panel drops its preview's blob URL when the recording is submitted.
    browser_problems.expected.append("net::ERR_FILE_NOT_FOUND")
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")

    record_screen(tool, 2.5, page)
    submission = submit_recording_and_wait_until_ready(page, tool)

    assert submission.filename.startswith("screencap-")
    assert submission.duration_seconds == pytest.approx(2.5, abs=1.5)
    browser_problems.assert_none()


def test_a_recording_stops_itself_at_the_assignments_maximum_length(
    page: Any, base_url: str, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)
    launch_as(page, "ada")  # creates the assignment
    expect(page.frame_locator("#tool-frame").locator(".uppy-Dashboard")).to_be_visible()
    VideoAssignment.objects.filter(resource_link_id=ASSIGNMENT.id).update(max_duration_seconds=3)
    tool = relaunch(page)

    tool.get_by_role("tab", name="Camera").click()
    tool.get_by_role("button", name="Begin video recording").click()
    expect(tool.locator("#recording-timer")).to_contain_text("of 0:03", timeout=6000)
    recording = violations(page)  # axe on the camera panel while it records

    timer = tool.locator("#recording-timer")
    expect(timer).to_have_text(
        "Recording stopped at the 0:03 limit. Watch it, then submit it or record again.",
        timeout=8000,
    )
    expect(tool.get_by_role("button", name="Submit recorded file")).to_be_visible()
    assert recording == []
    assert violations(page) == []  # and in review, before submitting
    if folder := os.environ.get("STUDENT_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        tool.locator(".lti-page").screenshot(path=f"{folder}/student-recording-stopped.png")
    browser_problems.assert_none()


def test_an_assignment_may_offer_only_the_camera(
    page: Any, base_url: str, browser_problems: BrowserProblems
) -> None:
    open_dev_lms(page, base_url)
    launch_as(page, "ada")
    expect(page.frame_locator("#tool-frame").locator(".uppy-Dashboard")).to_be_visible()
    VideoAssignment.objects.filter(resource_link_id=ASSIGNMENT.id).update(
        allowed_sources=["camera"]
    )
    tool = relaunch(page)

    expect(tool.get_by_role("tab", name="Camera")).to_be_visible()
    expect(tool.get_by_role("tab", name="Screencast")).to_have_count(0)
    expect(tool.locator(".uppy-Dashboard-browse")).to_have_count(0)  # no "browse files"
    browser_problems.assert_none()


def test_a_blocked_camera_gets_one_clear_sentence(
    browser: Any, base_url: str, browser_problems: BrowserProblems, tmp_path: Path
) -> None:
    """The ordinary test Chromium has no fake devices and answers no prompt: refused."""
    context = browser.new_context()
    try:
        page = context.new_page()
        open_dev_lms(page, base_url)
        tool = launch_as(page, "ada")
        tool.get_by_role("tab", name="Camera").click()
        error = tool.locator("#error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("or upload a file instead")
        expect(tool.locator(".uppy-Informer p")).to_have_count(0)
    finally:
        context.close()


# The same recordings through the cloud backends: S3 (moto) in one part of a multipart
# upload and as a presigned POST, and Cloudflare Stream (the fake server) over tus.


@pytest.fixture
def s3_recording_tenant(
    page: Any, base_url: str, s3_server: MotoServer, s3_bucket: str
) -> Iterator[str]:
    """The dev LMS's tenant on S3, every upload multipart (threshold 1 byte)."""
    open_dev_lms(page, base_url)
    options = backend_options(s3_server.url, s3_bucket, multipart_threshold=1)
    secrets = {"secret_access_key": options.pop("secret_access_key")}
    use_storage(backend="storage_backends.s3.S3Backend", options=options, secrets=secrets)
    with s3_cors_on_posts(s3_server, s3_bucket):
        yield s3_bucket


def test_a_camera_recording_goes_to_s3_as_a_multipart_upload_and_plays(
    page: Any,
    s3_server: MotoServer,
    s3_recording_tenant: str,
    browser_problems: BrowserProblems,
) -> None:
    tool = launch_as(page, "ada")

    record_with_camera(tool, 2.5, page)
    submission = submit_recording_and_wait_until_ready(page, tool)

    assert submission.upload_details["protocol"] == "s3-multipart"
    head = s3_server.client("s3").head_object(Bucket=s3_recording_tenant, Key=submission.video_id)
    assert head["ContentLength"] == submission.size_bytes
    browser_problems.assert_none()


def test_a_screen_recording_goes_to_s3_with_a_presigned_post_and_plays(
    page: Any, s3_server: MotoServer, s3_tenant: str, browser_problems: BrowserProblems
) -> None:
    browser_problems.expected.append("net::ERR_FILE_NOT_FOUND")
    tool = launch_as(page, "ada")

    record_screen(tool, 2.5, page)
    submission = submit_recording_and_wait_until_ready(page, tool)

    assert submission.upload_details["protocol"] == "s3-post"
    head = s3_server.client("s3").head_object(Bucket=s3_tenant, Key=submission.video_id)
    assert head["ContentLength"] == submission.size_bytes
    browser_problems.assert_none()


@pytest.mark.parametrize("source", ["camera", "screen"])
def test_a_recording_goes_to_cloudflare_stream_over_tus_and_plays(
    page: Any,
    stream: FakeCloudflareStream,
    stream_tenant: None,
    source: str,
    browser_problems: BrowserProblems,
) -> None:
    browser_problems.expected.append("net::ERR_FILE_NOT_FOUND")
    tool = launch_as(page, "ada")

    (record_with_camera if source == "camera" else record_screen)(tool, 2.5, page)
    tool.get_by_role("button", name="Submit recorded file").click()
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status[data-state=processing]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    submission = Submission.objects.get(student__sub=ADA.sub, is_current=True)
    assert submission.upload_details["protocol"] == "tus"
    data = stream.video_bytes(submission.video_id)
    assert len(data) == submission.size_bytes
    assert data[:4] == b"\x1aE\xdf\xa3" or data[4:8] == b"ftyp"  # WebM (EBML) or MP4

    stream.finish_processing()
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    assert_stream_plays(page, stream)
    browser_problems.assert_none()


def test_the_camera_flow_works_from_the_keyboard(
    page: Any, base_url: str, browser_problems: BrowserProblems
) -> None:
    """Every control of the flow takes the focus and answers Enter (no mouse)."""
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")

    def press(locator: Any) -> None:
        locator.focus()
        expect(locator).to_be_focused()
        locator.press("Enter")

    press(tool.get_by_role("tab", name="Camera"))
    press(tool.get_by_role("button", name="Begin video recording"))
    expect(tool.locator("#recording-timer")).to_contain_text("Recording 0:0", timeout=6000)
    page.wait_for_timeout(2000)
    press(tool.get_by_role("button", name="Stop video recording"))
    press(tool.get_by_role("button", name="Submit recorded file"))
    press(tool.locator(".uppy-StatusBar-actionBtn--upload"))

    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    browser_problems.assert_none()
