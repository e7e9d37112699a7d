"""The grading workspace in a real browser, inside the dev LMS's frame: a teacher grades three
submissions with the keyboard only, adds time-stamped comments (markers on the progress bar,
a click seeks), grades are held until release, and the student sees the comments only after
it. axe-core finds no violations in the workspace's states; at 375 px nothing scrolls
sideways; the page tells its frame its height (lti.frameResize). A student who uploaded
again has a "Versions" select: the teacher plays the earlier video."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from dev_lms.roster import person_by_key
from lti_tool.models import Grade, Submission, TimedComment, VideoAssignment, VideoEvent
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms, tool_frame
from tests.factories import LtiUserFactory, SubmissionFactory
from tests.fixtures.browser import BrowserProblems
from tests.fixtures.live_api import LiveApi

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("eager_tasks")]

STUDENTS = ("ada", "brook", "chen")
RUBRIC = [
    {
        "title": "Delivery",
        "levels": [{"points": 4, "description": "Clear"}, {"points": 2, "description": "Hesitant"}],
    },
    {
        "title": "Content",
        "levels": [{"points": 6, "description": "Complete"}, {"points": 3, "description": "Gaps"}],
    },
]
AXE = Path(settings.BASE_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
RESIZES = """() => { window.__resizes = [];
  addEventListener('message', (e) => {
    if (e.data && e.data.subject === 'lti.frameResize') window.__resizes.push(e.data.height) }) }"""


def _submit_as(page: Any, base_url: str, key: str, video: Path) -> None:
    """The student launches in the dev LMS; the upload goes over tus with the page's token."""
    tool = launch_as(page, key)
    expect(tool.locator(".lti-user")).to_have_text(f"Signed in as {person_by_key(key).name}")
    expect(tool.locator("#status")).not_to_have_attribute("data-state", "loading")
    data = tool_frame(page).evaluate("() => document.getElementById('launch-data').textContent")
    LiveApi(base_url, json.loads(data)["token"]).submit(video)


def _screenshot(page: Any, path: Path) -> None:
    """The whole tool page: the frame takes the height the tool last sent (lti.frameResize)."""
    height = page.evaluate("() => window.__resizes[window.__resizes.length - 1]")
    page.evaluate(f"() => {{ document.getElementById('tool-frame').style.height = '{height}px' }}")
    page.locator("#tool-frame").screenshot(path=str(path))


def _axe_violations(page: Any) -> list[str]:
    frame = tool_frame(page)
    frame.add_script_tag(path=str(AXE))
    found = frame.evaluate("async () => (await axe.run(document)).violations")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in found]


def _grade_with_keys(page: Any, score: str, comment: str) -> None:
    page.keyboard.press("g")  # the score field
    page.keyboard.type(score)
    page.keyboard.press("Tab")  # the overall comment
    page.keyboard.type(comment)
    page.keyboard.press("Control+Enter")  # save; the next submission to grade opens


def _wait_time(page: Any, past: float) -> None:
    tool_frame(page).wait_for_function(
        "(t) => { const v = document.querySelector('#player-container video');"
        " return !!v && v.currentTime > t }",
        arg=past,
        timeout=15_000,
    )


def test_a_teacher_grades_a_class_with_the_keyboard_and_releases_the_feedback(
    page: Any,
    base_url: str,
    sample_video: Path,
    browser_problems: BrowserProblems,
    tmp_path: Path,
) -> None:
    open_dev_lms(page, base_url)
    page.evaluate(RESIZES)
    for key in STUDENTS:
        _submit_as(page, base_url, key, sample_video)
    VideoAssignment.objects.update(hold_grades=True)

    tool = launch_as(page, "dana")
    rows = tool.locator("#submissions tr[data-submission-id]")
    expect(rows).to_have_count(3)
    expect(tool.locator("[data-filter=needs_grading] .count")).to_have_text("3")
    assert _axe_violations(page) == []  # the queue alone

    # Next (N) opens the first submission; play it and comment twice at moments of the video.
    tool.locator("#submissions-heading").click()
    page.keyboard.press("n")
    expect(tool.locator("#player-heading")).to_have_text(person_by_key("ada").name)
    expect(tool.locator("#player-section")).to_have_attribute("aria-busy", "false")
    tool.locator("#player-container video").evaluate("v => { v.muted = true; return v.play() }")
    _wait_time(page, 0.8)
    page.keyboard.press("c")  # pauses and opens the box at the current moment
    expect(tool.locator("#comment-text")).to_be_focused()
    page.keyboard.type("The audio drops here.")
    page.keyboard.press("Enter")
    expect(tool.locator("#comment-list li")).to_have_count(1)
    tool.locator("#player-container video").evaluate("v => { v.currentTime = 2.2 }")
    tool.locator("#player-heading").focus()
    page.keyboard.press("c")
    page.keyboard.type("Strong ending.")
    page.keyboard.press("Enter")
    expect(tool.locator("#comment-list li")).to_have_count(2)
    expect(tool.locator(".vjs-progress-holder .comment-marker")).to_have_count(2)
    first_at = TimedComment.objects.order_by("at_seconds").first()
    assert first_at is not None and 0.7 < first_at.at_seconds < 2.0
    tool.locator("#comment-list li .comment-seek").first.click()
    now = tool.locator("#player-container video").evaluate("v => v.currentTime")
    assert abs(now - first_at.at_seconds) <= 0.5
    assert _axe_violations(page) == []  # a submission open, with comments
    _screenshot(page, tmp_path / "workspace-desktop.png")
    tool.locator("#shortcuts-open").click()
    expect(tool.locator("#shortcuts-help")).to_be_visible()
    assert _axe_violations(page) == []  # the help dialog
    page.keyboard.press("Escape")

    # Grade the three with the keyboard only; each save opens the next one to grade.
    tool.locator("#player-heading").focus()
    for key, score in zip(STUDENTS, ("17", "12", "19"), strict=True):
        expect(tool.locator("#player-heading")).to_have_text(person_by_key(key).name)
        expect(tool.locator("#player-section")).to_have_attribute("aria-busy", "false")
        _grade_with_keys(page, score, f"Feedback for {key}.")
        expect(tool.locator("#queue-status")).to_contain_text(person_by_key(key).name)
        tool.locator("#player-heading").focus()
    expect(tool.locator("#queue-status")).to_contain_text("Every submission is graded")
    assert sorted(Grade.objects.values_list("score", flat=True)) == [12, 17, 19]
    assert all(Grade.objects.values_list("held", flat=True))
    expect(tool.locator("#release-count")).to_have_text("3 grades are held.")

    # Held: Ada sees neither grade nor comments.
    tool = launch_as(page, "ada")
    expect(tool.locator("#grade-held")).to_be_visible()
    expect(tool.locator("#my-comments")).to_have_count(0)
    expect(tool.locator("#my-grade")).to_be_hidden()

    tool = launch_as(page, "dana")
    tool.locator("#release-grades").click()
    expect(tool.locator("#queue-status")).to_have_text(
        "Released 3 grades to the students and the LMS."
    )
    assert not any(Grade.objects.values_list("held", flat=True))

    tool = launch_as(page, "ada")
    expect(tool.locator("#my-grade")).to_contain_text("17 /")
    comments = tool.locator("#my-comments li .comment-seek")
    expect(comments).to_have_count(2)
    expect(tool.locator("#player-container video")).to_be_attached()
    tool_frame(page).wait_for_function(
        "() => document.querySelector('#player-container video').readyState >= 1"
    )
    expect(tool.locator(".vjs-progress-holder .comment-marker")).to_have_count(2)
    comments.last.click()
    now = tool.locator("#player-container video").evaluate("v => v.currentTime")
    last_at = TimedComment.objects.order_by("at_seconds").last()
    assert last_at is not None and abs(now - last_at.at_seconds) <= 0.5
    assert page.evaluate("() => window.__resizes.length") > 0  # lti.frameResize was sent
    browser_problems.assert_none()


def test_the_workspace_fits_375_px_and_keeps_unsaved_work_when_the_session_expired(
    page: Any, base_url: str, sample_video: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_dev_lms(page, base_url)
    page.evaluate(RESIZES)
    _submit_as(page, base_url, "ada", sample_video)
    VideoAssignment.objects.update(max_points=10, rubric=RUBRIC)
    tool = launch_as(page, "dana")
    expect(tool.locator("#submissions tr[data-submission-id]")).to_have_count(1)

    tool.locator("#submissions button.play").first.click()
    expect(tool.locator("#grade-form")).to_be_visible()
    tool.locator("label[for=rubric-0-0]").click()  # Delivery: 4
    tool.locator("label[for=rubric-1-1]").click()  # Content: 3
    expect(tool.locator("#grade-score")).to_have_value("7")
    tool.locator("#grade-score").fill("8")
    expect(tool.locator("#grade-note")).to_be_visible()  # adjusting needs a note
    tool.locator("#grade-note").fill("Extra effort")
    tool.locator("#grade-comment").fill("Typed before the session ran out.")

    frame = tool_frame(page)
    widths = frame.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways at 375 px: {widths}"
    assert _axe_violations(page) == []
    _screenshot(page, tmp_path / "workspace-375.png")

    # The launch token expired: saving fails, and what was typed stays in the browser.
    page.route(
        "**/api/submissions/*/grade",
        lambda route: (
            route.fulfill(status=401, json={"code": "launch_expired", "message": "x"})
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    tool.locator("#grade-save").click()
    expect(tool.locator("#grade-message")).to_contain_text("kept in this browser")
    assert not Grade.objects.exists()
    page.unroute("**/api/submissions/*/grade")
    tool = launch_as(page, "dana")  # the teacher opens the assignment again
    expect(tool.locator("#player-section")).to_be_hidden()  # the new page, nothing open yet
    tool.locator("#submissions button.play").first.click()
    expect(tool.locator("#grade-draft-note")).to_be_visible()
    expect(tool.locator("#grade-score")).to_have_value("8")
    expect(tool.locator("#grade-comment")).to_have_value("Typed before the session ran out.")
    expect(tool.locator("#grade-note")).to_have_value("Extra effort")
    expect(tool.locator("#rubric-1-1")).to_be_checked()
    tool.locator("#grade-save").click()
    expect(tool.locator("#grade-message")).to_contain_text("Grade saved")
    grade = Grade.objects.get()
    assert (grade.score, grade.rubric_levels, grade.score_note) == (8, [0, 1], "Extra effort")


def test_new_submissions_appear_without_pressing_anything(page: Any, base_url: str) -> None:
    page.clock.install()  # the queue refreshes itself on a timer: move time on, not wait
    open_dev_lms(page, base_url)
    tool = launch_as(page, "dana")
    expect(tool.locator("#empty")).to_have_text("No submissions yet.")
    assignment = VideoAssignment.objects.get()
    course = assignment.course
    late_comer = LtiUserFactory(tenant=course.tenant, issuer=course.issuer, name="Late Comer")
    SubmissionFactory(assignment=assignment, student=late_comer, state="ready", is_current=True)

    page.clock.run_for(16_000)

    expect(tool.locator("#submissions tr[data-submission-id] th")).to_have_text(["Late Comer"])
    expect(tool.locator("[data-filter=needs_grading] .count")).to_have_text("1")


def test_a_teacher_plays_the_earlier_version_of_a_student_who_uploaded_again(
    page: Any,
    base_url: str,
    sample_video: Path,
    browser_problems: BrowserProblems,
    tmp_path: Path,
) -> None:
    open_dev_lms(page, base_url)
    _submit_as(page, base_url, "ada", sample_video)
    retake = tmp_path / "retake.mp4"
    retake.write_bytes(sample_video.read_bytes())
    _submit_as(page, base_url, "ada", retake)
    earlier, current = Submission.objects.order_by("pk")

    tool = launch_as(page, "dana")
    expect(tool.locator("#submissions tr[data-submission-id]")).to_have_count(1)
    tool.locator("#submissions button.play").first.click()
    options = tool.locator("#version-select option")
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("Current version (")
    expect(options.last).to_contain_text("Earlier version (")
    assert _axe_violations(page) == []

    tool.locator("#version-select").select_option(str(earlier.pk))
    expect(tool.locator("#version-note")).to_contain_text("Playing: Earlier version (")
    tool.locator("#player-container video").evaluate("v => { v.muted = true; return v.play() }")
    _wait_time(page, 0.5)
    assert VideoEvent.objects.filter(submission=earlier, kind="playback").exists()
    # The grade stays with the current video.
    expect(tool.locator("#grade-form")).to_have_attribute("data-submission-id", str(current.pk))
    browser_problems.assert_none()
