"""In a real browser, with a backend that exists only in tests (tests/storage/folder_backend/,
registered through settings alone): a student uploads on the student page over plain tus to
the backend's own endpoints, in the chunks its ticket asks for, and the teacher plays it.
The front end knows the wire protocol, never the backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dev_lms.roster import person_by_key
from lti_tool.models import Submission
from tests.e2e.storage_support import requests_received, use_storage
from tests.e2e.test_student_to_teacher import (
    VIDEO,
    launch_as,
    open_dev_lms,
    video_problem,
    wait_until_playing,
)
from tests.fixtures.browser import BrowserProblems
from tests.storage.folder_backend import DOTTED_PATH, FolderBackend
from tests.storage.folder_backend.harness import register

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
READY_TIMEOUT_MS = 30_000
CHUNK_SIZE = 16 * 1024  # the tenant's option, sent in the ticket: several PATCHes


def test_student_uploads_through_a_test_only_backend_and_teacher_plays(
    page: Any,
    base_url: str,
    live_server: Any,
    settings: Any,
    tmp_path: Path,
    sample_video: Path,
    browser_problems: BrowserProblems,
) -> None:
    register(settings, tmp_path / "unused", default=False)
    open_dev_lms(page, base_url)  # registers the tenant
    root = tmp_path / "folder-videos"
    use_storage(
        backend=DOTTED_PATH,
        options={"root": str(root), "chunk_size": CHUNK_SIZE},
        secrets={"signing_secret": "browser-test-secret"},
    )

    with requests_received(live_server) as received:
        tool = launch_as(page, "ada")
        expect(tool.locator("#status")).to_have_attribute("data-state", "none")
        tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
        tool.locator(".uppy-StatusBar-actionBtn--upload").click()
        expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)

    submission = Submission.objects.get(student__sub=ADA.sub, is_current=True)
    assert submission.backend == FolderBackend.name
    stored = root / "videos" / submission.video_id / "data"
    assert stored.read_bytes() == sample_video.read_bytes()
    patches = received.to("PATCH", "/storage/folder/uploads/")
    size = sample_video.stat().st_size
    assert len(patches) == -(-size // CHUNK_SIZE)  # the ticket's chunk size, not 5 MiB
    assert max(patch.body_bytes for patch in patches) <= CHUNK_SIZE

    tool = launch_as(page, "dana")
    row = tool.locator("#submissions tr[data-submission-id]").first
    expect(row).to_have_attribute("data-state", "ready")
    row.locator("button.play").click()
    expect(tool.locator(VIDEO)).to_be_attached()
    tool.locator("#player-container .vjs-big-play-button").click()
    try:
        wait_until_playing(page, 0.5)
    except Exception as exc:
        raise AssertionError(f"the teacher's player did not play: {video_problem(page)}") from exc
    browser_problems.assert_none()
