"""In a real browser: a student of a tenant on S3 (moto over HTTP) uploads through Uppy
straight to the bucket - a multipart upload above the tenant's threshold, a presigned POST
below it - the submission becomes ready and the student's player streams it from S3.

Our server signs and confirms; the video's bytes never pass through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from dev_lms.roster import ASSIGNMENT, person_by_key
from lti_tool.models import Submission
from tests.e2e.storage_support import (
    make_video,
    play_muted,
    requests_received,
    s3_cors_on_posts,
    use_storage,
    video_state,
    wait_until_playing,
)
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms, tool_frame
from tests.fakes.s3 import MotoServer, backend_options
from tests.fixtures.browser import BrowserProblems

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
MiB = 1024**2
PART_SIZE = 5 * MiB
THRESHOLD = 6 * 1000**2  # above it: multipart
READY_TIMEOUT_MS = 30_000
VIDEO = "#player-container video"


@pytest.fixture(scope="module")
def large_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 9 MB: two parts of 5 MiB (the last one shorter)."""
    path = make_video(tmp_path_factory.mktemp("media") / "presentation.mp4", seconds=6)
    assert THRESHOLD < path.stat().st_size < 2 * PART_SIZE
    return path


@pytest.fixture
def s3_tenant(page: Any, base_url: str, s3_server: MotoServer, s3_bucket: str) -> Iterator[str]:
    """The dev LMS's tenant on S3 in moto, without CloudFront (playback: presigned GETs)."""
    open_dev_lms(page, base_url)  # registers the tenant
    options = backend_options(
        s3_server.url, s3_bucket, multipart_threshold=THRESHOLD, part_size=PART_SIZE
    )
    secrets = {"secret_access_key": options.pop("secret_access_key")}
    use_storage(backend="storage_backends.s3.S3Backend", options=options, secrets=secrets)
    with s3_cors_on_posts(s3_server, s3_bucket):
        yield s3_bucket


def upload(tool: Any, video: Path) -> None:
    tool.locator("#uploader input[type=file]").first.set_input_files(video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator(".uppy-StatusBar.is-complete")).to_be_attached(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#status")).to_contain_text(video.name)
    expect(tool.locator("#error")).to_be_hidden()


def assert_plays_from(page: Any, origin: str) -> None:
    """The student's player plays the video, streamed from `origin` (not our server)."""
    tool = page.frame_locator("#tool-frame")
    expect(tool.locator("#player-section")).to_be_visible()
    expect(tool.locator(VIDEO)).to_be_attached()
    frame = tool_frame(page)
    play_muted(frame, VIDEO)
    try:
        wait_until_playing(frame, VIDEO, 0.5)
    except Exception as exc:
        raise AssertionError(f"the video did not play: {video_state(frame, VIDEO)}") from exc
    source = frame.locator(VIDEO).evaluate("video => video.currentSrc")
    assert source.startswith(f"{origin}/"), source


def ada_submission() -> Submission:
    return Submission.objects.get(
        assignment__resource_link_id=ASSIGNMENT.id, student__sub=ADA.sub, is_current=True
    )


def test_large_video_goes_to_s3_in_parts_and_plays(
    page: Any,
    live_server: LiveServer,
    s3_server: MotoServer,
    s3_tenant: str,
    large_video: Path,
    browser_problems: BrowserProblems,
) -> None:
    size = large_video.stat().st_size
    tool = launch_as(page, "ada")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")

    with requests_received(live_server) as received:
        upload(tool, large_video)

    submission = ada_submission()
    assert submission.state == Submission.State.READY
    assert submission.upload_details["protocol"] == "s3-multipart"
    head = s3_server.client("s3").head_object(Bucket=s3_tenant, Key=submission.video_id)
    assert head["ContentLength"] == size
    assert head["ContentType"] == "video/mp4"
    assert head["ETag"].strip('"').endswith("-2"), "not assembled from the two parts"
    # Our server signed (two parts, the list, the completion) and confirmed; no bytes.
    assert len(received.to("POST", "/multipart/parts/")) == 2
    assert len(received.to("POST", "/multipart/sign")) == 2
    assert received.body_bytes < 64 * 1024, received.largest

    assert_plays_from(page, s3_server.url)
    browser_problems.assert_none()


def test_small_video_goes_to_s3_with_a_presigned_post_and_plays(
    page: Any,
    live_server: LiveServer,
    s3_server: MotoServer,
    s3_tenant: str,
    sample_video: Path,
    browser_problems: BrowserProblems,
) -> None:
    tool = launch_as(page, "ada")
    with requests_received(live_server) as received:
        upload(tool, sample_video)

    submission = ada_submission()
    assert submission.upload_details["protocol"] == "s3-post"
    head = s3_server.client("s3").head_object(Bucket=s3_tenant, Key=submission.video_id)
    assert head["ContentLength"] == sample_video.stat().st_size
    assert head["Metadata"] == {"submission-id": str(submission.pk)}
    assert not received.to("POST", "/multipart/")
    assert received.body_bytes < min(16 * 1024, sample_video.stat().st_size), received.largest

    assert_plays_from(page, s3_server.url)
    browser_problems.assert_none()


def test_multipart_upload_pauses_resumes_and_retries(
    page: Any,
    live_server: LiveServer,
    s3_server: MotoServer,
    s3_tenant: str,
    large_video: Path,
    browser_problems: BrowserProblems,
) -> None:
    """Pause while part 2 is on its way, resume; part 2 then fails while the network is down:
    the page says so and keeps retrying with growing pauses; once the network is back the
    same upload (one ticket, one multipart upload) completes by itself."""
    second_part = re.compile(r"[?&]partNumber=2&")
    browser_problems.expected += ["partNumber=2", "Network error during S3 request"]
    held: list[Any] = []
    page.route(second_part, lambda route: held.append(route))  # no answer: "on its way"
    tool = launch_as(page, "ada")
    toggle = tool.locator("[data-cy=togglePauseResume]")

    with requests_received(live_server) as received:
        tool.locator("#uploader input[type=file]").first.set_input_files(large_video)
        tool.locator(".uppy-StatusBar-actionBtn--upload").click()
        wait_for(page, lambda: bool(held), "part 2 was never sent")
        expect(tool.locator(".uppy-StatusBar.is-uploading")).to_be_attached()
        toggle.click()
        expect(toggle).to_have_attribute("title", "Resume")

        page.unroute(second_part)
        page.route(second_part, lambda route: route.abort())  # the network fails for part 2
        toggle.click()
        expect(tool.locator("#connection-note")).to_contain_text(
            "The connection dropped", timeout=15_000
        )
        expect(tool.locator("#status")).to_have_attribute("data-state", "pending_upload")

        page.unroute(second_part)  # the network is back
        expect(tool.locator(".uppy-StatusBar.is-complete")).to_be_attached(
            timeout=READY_TIMEOUT_MS + 30_000
        )
        expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
        expect(tool.locator("#error")).to_be_hidden()
        expect(tool.locator("#connection-note")).to_be_hidden()

    # One ticket and one multipart upload; each start asked S3 which parts it holds.
    assert len(received.to("POST", "/api/uploads")) == 1
    assert len(received.to("POST", "/multipart/sign")) >= 3
    assert received.body_bytes < 64 * 1024, received.largest
    assert Submission.objects.filter(student__sub=ADA.sub).count() == 1
    submission = ada_submission()
    head = s3_server.client("s3").head_object(Bucket=s3_tenant, Key=submission.video_id)
    assert head["ContentLength"] == large_video.stat().st_size
    browser_problems.assert_none()


def test_a_cancelled_multipart_upload_is_aborted_in_s3(
    page: Any,
    s3_server: MotoServer,
    s3_tenant: str,
    large_video: Path,
    browser_problems: BrowserProblems,
) -> None:
    """The student gives up after part 1: our server aborts the upload, S3 drops the part."""
    browser_problems.expected += ["partNumber=2", "Network error during S3 request"]
    page.route(re.compile(r"[?&]partNumber=2&"), lambda route: route.abort())
    tool = launch_as(page, "ada")
    tool.locator("#uploader input[type=file]").first.set_input_files(large_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    # The network keeps failing: the page says so and keeps trying by itself.
    expect(tool.locator("#connection-note")).to_contain_text(
        "The connection dropped", timeout=15_000
    )
    s3 = s3_server.client("s3")
    assert len(s3.list_multipart_uploads(Bucket=s3_tenant)["Uploads"]) == 1

    tool.locator("[data-cy=cancel]").click()
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(0)
    wait_for(
        page,
        lambda: not s3.list_multipart_uploads(Bucket=s3_tenant).get("Uploads"),
        "the multipart upload is still open in S3",
    )
    browser_problems.assert_none()


def wait_for(page: Any, condition: Any, message: str, timeout_s: float = 15) -> None:
    """Let the page run until `condition()` holds (route handlers run while Playwright waits)."""
    for _ in range(int(timeout_s * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError(message)
