"""What the student's page shows while storage cannot be asked about her upload: "waiting
for storage", never "Failed"; and "Ready" once the sweep finds the video (real Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lti_tool.models import Submission
from lti_tool.tasks import reverify_waiting_uploads
from storage_backends.local import LocalBackend
from storage_backends.retry import TransientHTTPError

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000


def test_the_student_sees_her_upload_waiting_for_storage_then_ready(
    page: Any, base_url: str, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def storage_down(self: LocalBackend, video_id: str) -> Any:
        raise TransientHTTPError("storage answered 503", status=503)

    monkeypatch.setattr(LocalBackend, "get_metadata", storage_down)
    page.goto(f"{base_url}/dev-lms/")
    page.locator("[data-testid=launch-ada]").click()
    tool = page.frame_locator("#tool-frame")
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()

    status = tool.locator("#status")
    expect(status).to_contain_text("Uploaded, waiting for storage", timeout=TIMEOUT_MS)
    expect(status).to_have_attribute("data-state", "uploaded")
    expect(status).not_to_contain_text("Processing")  # the server's sentence, as it is
    expect(tool.locator("#error")).to_be_hidden()

    monkeypatch.undo()  # storage answers again
    Submission.objects.update(verify_next_at=timezone.now())  # its next check is due
    assert reverify_waiting_uploads() == 1

    page.reload()  # (the page also polls; a reload does not wait for its interval)
    page.locator("[data-testid=launch-ada]").click()
    expect(page.frame_locator("#tool-frame").locator("#status[data-state=ready]")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    # The browser kept the file while it was checked: reloaded, it did not send it again.
    assert list(Submission.objects.values_list("state", flat=True)) == ["ready"]
