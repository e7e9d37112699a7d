"""The student page in each of its states, checked with axe-core (0 violations, Uppy's
dashboard included) at desktop width and at 375 px; the teacher's grade appears without a
reload. Screenshots of each state go to $STUDENT_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from dev_lms.roster import ASSIGNMENT, person_by_key
from lti_tool.models import Grade, LtiUser, Submission, VideoAssignment
from tests.e2e.test_s3_upload_browser import wait_for
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms, tool_frame
from tests.fixtures.browser import BrowserProblems

pytestmark = pytest.mark.browser

ADA = person_by_key("ada")
AXE = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
READY_TIMEOUT_MS = 30_000
TUS_UPLOAD_URL = re.compile(r"/storage/local/tus/t\d+-[0-9a-f]{32}$")


def violations(page: Any) -> list[str]:
    """axe-core's violations in the tool's frame: "rule (impact): targets" (AXE_DEBUG=1 in
    the environment adds each node's HTML and axe's explanation)."""
    frame = tool_frame(page)
    if os.environ.get("AXE_DEBUG"):
        frame.evaluate("() => { window.AXE_DEBUG = true }")
    if not frame.evaluate("() => !!window.axe"):
        frame.add_script_tag(path=str(AXE))
    found = frame.evaluate(
        """async () => {
            const where = (n) => n.target.join(' ')
                + (window.AXE_DEBUG ? ` ${n.html} ${n.failureSummary}` : '')
            const found = await axe.run(document, {resultTypes: ['violations']})
            return found.violations
                .map(v => `${v.id} (${v.impact}): ${v.nodes.map(where).join(', ')}`)
        }"""
    )
    return list(found)


def check(page: Any, state: str, shots: Path) -> None:
    tool = page.frame_locator("#tool-frame")
    tool.locator(".lti-page").screenshot(path=str(shots / f"student-{state}.png"))
    problems = violations(page)
    assert problems == [], f"axe found problems in state {state!r}:\n" + "\n".join(problems)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("STUDENT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [1200, 375])
def test_every_state_of_the_student_page_has_no_axe_violation(
    page: Any,
    base_url: str,
    sample_video: Path,
    tmp_path: Path,
    shots: Path,
    width: int,
    browser_problems: BrowserProblems,
) -> None:
    page.set_viewport_size({"width": width, "height": 1400})
    shots = shots / f"w{width}"
    shots.mkdir(exist_ok=True)
    open_dev_lms(page, base_url)
    launch_as(page, "ada")
    tool = page.frame_locator("#tool-frame")
    expect(tool.locator(".uppy-Dashboard")).to_be_visible()
    VideoAssignment.objects.filter(resource_link_id=ASSIGNMENT.id).update(
        due_at=timezone.now() + timezone.timedelta(days=3)
    )
    tool_frame(page).evaluate("() => { window.beforeRelaunch = true }")
    tool = launch_as(page, "ada")
    tool_frame(page).wait_for_function("() => !window.beforeRelaunch")
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    check(page, "empty", shots)

    # A file chosen, not sent yet (Uppy's file list).
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    expect(tool.locator(".uppy-Dashboard-Item")).to_have_count(1)
    check(page, "chosen", shots)

    # Uploading: the PATCH hangs.
    held: list[Any] = []
    page.route(
        TUS_UPLOAD_URL,
        lambda route: held.append(route) if route.request.method == "PATCH" else route.fallback(),
    )
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    wait_for(page, lambda: bool(held), "the PATCH was never sent")
    expect(tool.locator("#status")).to_contain_text("Uploading…")
    check(page, "uploading", shots)
    tool.locator("[data-cy=cancel]").click()
    expect(tool.locator("#status")).to_have_attribute("data-state", "none")
    page.unroute(TUS_UPLOAD_URL)  # the held PATCH was aborted by the cancel

    # A refused file.
    fake = tmp_path / "notes.mp4"
    fake.write_text("words, not a video\n" * 300)
    tool.locator("#uploader input[type=file]").first.set_input_files(fake)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status")).to_have_attribute(
        "data-state", "failed", timeout=READY_TIMEOUT_MS
    )
    check(page, "failed", shots)

    # Ready, with the player.
    tool.locator("#uploader input[type=file]").first.set_input_files(sample_video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(tool.locator("#player-section")).to_be_visible()
    check(page, "ready", shots)

    # The teacher grades: the grade appears without a reload.
    submission = Submission.objects.get(student__sub=ADA.sub, is_current=True)
    Grade.objects.create(
        assignment=submission.assignment,
        student=submission.student,
        submission=submission,
        score=8.5,
        comment="Clear and well paced. Look at the camera a little more.",
        graded_by=LtiUser.objects.exclude(pk=submission.student_id).first(),
        graded_at=timezone.now(),
    )
    grade = tool.locator("#my-grade")
    expect(grade).to_be_visible(timeout=20_000)
    expect(grade).to_contain_text("8.5 / 100")
    expect(grade).to_contain_text("Look at the camera")
    check(page, "graded", shots)

    # Nothing sticks out of a 375 px screen.
    overflow = tool_frame(page).evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at width {width}"
    browser_problems.assert_none()
