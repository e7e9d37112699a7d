"""In a real browser: a student of a tenant on Cloudflare Stream (the fake, over HTTP) uploads
through Uppy's tus client. The creation goes to our forwarding endpoint, which answers with
Stream's one-time upload URL; every PATCH goes straight there. Stream processes the video,
its webhook tells us, and the student and the teacher watch it in Stream's iframe player.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from dev_lms.roster import ASSIGNMENT, person_by_key
from lti_tool.models import Submission, VideoEvent
from lti_tool.tenants.storage_configs import storage_config_save
from storage_backends.cloudflare import CloudflareStreamBackend
from tests.e2e.storage_support import (
    make_video,
    play_muted,
    requests_received,
    use_storage,
    video_state,
    wait_until_playing,
)
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms
from tests.fakes.cloudflare_stream import MIN_CHUNK, FakeCloudflareStream
from tests.fixtures.browser import BrowserProblems

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
DANA = person_by_key("dana")
READY_TIMEOUT_MS = 30_000
STREAM_VIDEO = "#stream-player"  # the <video> inside the (fake) Stream iframe


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 9 MB: two tus PATCHes (one of 5 MiB, then the rest)."""
    path = make_video(tmp_path_factory.mktemp("media") / "lecture.mp4", seconds=6)
    assert MIN_CHUNK < path.stat().st_size < 2 * MIN_CHUNK
    return path


@pytest.fixture
def stream() -> Iterator[FakeCloudflareStream]:
    """Stream, with processing that only ends when the test says so (finish_processing)."""
    with FakeCloudflareStream(queued_seconds=3600) as fake:
        yield fake


@pytest.fixture
def stream_tenant(page: Any, base_url: str, stream: FakeCloudflareStream) -> None:
    """The dev LMS's tenant on Stream, set up as an administrator does: a signing key for
    playback tokens, and the webhook pointed at our endpoint for this configuration."""
    open_dev_lms(page, base_url)  # registers the tenant
    options = {
        "account_id": stream.account_id,
        "api_base": stream.api_base,
        "delivery_base": stream.delivery_base,
        "max_duration_seconds": 600,
    }
    admin = CloudflareStreamBackend(api_token=stream.api_token, **options)
    key_id, pem = admin.create_signing_key()
    config = use_storage(
        backend="storage_backends.cloudflare.CloudflareStreamBackend",
        options={**options, "signing_key_id": key_id},
        secrets={"api_token": stream.api_token, "signing_key_pem": pem},
    )
    secret = admin.subscribe_webhook(f"{base_url}/storage/webhooks/{config.pk}/")
    storage_config_save(config=config, secrets={"webhook_secret": secret})


def test_video_goes_to_stream_over_tus_and_plays_in_its_iframe(
    page: Any,
    live_server: LiveServer,
    stream: FakeCloudflareStream,
    stream_tenant: None,
    video: Path,
    browser_problems: BrowserProblems,
) -> None:
    data = video.read_bytes()
    tool = launch_as(page, "ada")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")

    with requests_received(live_server) as received:
        tool.locator("#uploader input[type=file]").first.set_input_files(video)
        tool.locator(".uppy-StatusBar-actionBtn--upload").click()
        expect(tool.locator(".uppy-StatusBar.is-complete")).to_be_attached(timeout=READY_TIMEOUT_MS)
        # Uploaded and confirmed; Stream is still processing it.
        expect(tool.locator("#status[data-state=processing]")).to_be_visible(
            timeout=READY_TIMEOUT_MS
        )
        expect(tool.locator("#status")).to_contain_text("Processing…")
        expect(tool.locator("#player-section")).to_be_hidden()

    # The creation went through our endpoint; the bytes went to Stream, and only there.
    assert len(received.to("POST", "/storage/cloudflare/tus/")) == 1
    assert received.body_bytes < 64 * 1024, received.largest
    patches = stream.requests_to("PATCH")
    assert [p.body_size for p in patches] == [MIN_CHUNK, len(data) - MIN_CHUNK]
    assert all("authorization" not in p.headers for p in patches)
    submission = Submission.objects.get(
        assignment__resource_link_id=ASSIGNMENT.id, student__sub=ADA.sub
    )
    assert submission.upload_details["protocol"] == "tus"
    assert stream.video_bytes(submission.video_id) == data

    stream.finish_processing()  # Stream's webhook reaches us; the worker asks Stream again
    assert [d.status for d in stream.deliveries] == [200]
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#error")).to_be_hidden()
    assert_stream_plays(page, stream)

    # The teacher plays it too, in the same kind of iframe.
    tool = launch_as(page, "dana")
    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {DANA.name}")
    row = tool.locator("#submissions tr[data-submission-id]").first
    expect(row).to_have_attribute("data-state", "ready")
    row.locator("button.play").click()
    assert_stream_plays(page, stream)

    assert VideoEvent.objects.filter(
        kind=VideoEvent.Kind.PLAYBACK, submission=submission, user__sub=DANA.sub
    ).exists()
    browser_problems.assert_none()


def assert_stream_plays(page: Any, stream: FakeCloudflareStream) -> None:
    """#player is Stream's iframe, with a signed token in its URL, and its video plays."""
    player = page.frame_locator("#tool-frame").locator("iframe#player")
    expect(player).to_be_visible()
    src = player.get_attribute("src") or ""
    assert src.startswith(f"{stream.delivery_base}/") and src.endswith("/iframe"), src
    assert src.count(".") >= 2, "the iframe URL carries no signed token"
    assert "fullscreen" in (player.get_attribute("allow") or "")
    frame = player.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_selector(STREAM_VIDEO, state="attached")
    play_muted(frame, STREAM_VIDEO)
    try:
        wait_until_playing(frame, STREAM_VIDEO, 0.5)
    except Exception as exc:
        raise AssertionError(
            f"Stream's video did not play: {video_state(frame, STREAM_VIDEO)}"
        ) from exc
