"""Submission Review (LtiSubmissionReviewRequest with `for_user`): from the LMS gradebook,
a teacher opens the grading page on that student's submission; a student reviewing their
own work gets their own page, and nobody else's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.advantage.grades_support import api_for, launch_data, page_text, submit_video
from tests.lti_platform import claims as c
from tests.lti_platform.lms import LmsPlatform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]


def submit(lms: LmsPlatform, session: Any, live_server: Any, video: Path, person: str) -> int:
    api = api_for(live_server, lms.launch(session, person))
    return int(submit_video(api, video)["id"])


def review(lms: LmsPlatform, session: Any, person: str, for_user: str) -> Any:
    return lms.launch(session, person, message_type=c.SUBMISSION_REVIEW_REQUEST, for_user=for_user)


def test_the_teacher_lands_on_that_students_submission(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submit(moodle, lms_session, live_server, stand_in_video, "s1")
    bens = submit(moodle, lms_session, live_server, stand_in_video, "s2")

    page = review(moodle, lms_session, "teacher", for_user="s2")

    data = launch_data(page)
    assert data["role"] == "teacher"
    assert data["reviewSubmissionId"] == bens
    assert data["reviewStudentName"] == "Ben Student"
    assert page_text(page.text, "review-note") == "Reviewing the submission of Ben Student."
    assert 'id="grade-form"' in page.text
    # The page's token grades exactly that submission.
    api = api_for(live_server, page)
    assert api.post(f"/api/submissions/{bens}/grade", {"score": 90}).json()["score"] == 90


def test_a_student_without_a_submission(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submit(moodle, lms_session, live_server, stand_in_video, "s1")

    page = review(moodle, lms_session, "teacher", for_user="s3")

    assert launch_data(page)["reviewSubmissionId"] is None
    assert page_text(page.text, "review-note") == (
        "Reviewing the submission of Cleo Student: no video submitted yet."
    )


def test_a_student_reviewing_their_own_work_gets_their_page(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submit(moodle, lms_session, live_server, stand_in_video, "s1")

    page = review(moodle, lms_session, "s1", for_user="s1")

    data = launch_data(page)
    assert data["role"] == "student"
    assert data["reviewSubmissionId"] is None
    assert 'id="grade-form"' not in page.text


def test_a_student_cannot_review_someone_else(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submit(moodle, lms_session, live_server, stand_in_video, "s2")

    page = review(moodle, lms_session, "s1", for_user="s2")

    assert page.status_code == 403
    assert page_text(page.text, "error-message") == "You can only review your own submission."


def test_canvas_submission_review(
    canvas: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    adas = submit(canvas, lms_session, live_server, stand_in_video, "s1")

    page = review(canvas, lms_session, "teacher", for_user="s1")

    assert launch_data(page)["reviewSubmissionId"] == adas
    assert page_text(page.text, "review-note") == "Reviewing the submission of Ada Student."


@pytest.mark.browser
def test_grading_panel_in_the_browser(
    moodle: LmsPlatform,
    lms_session: Any,
    live_server: Any,
    stand_in_video: Path,
    page: Any,
    browser_problems: Any,
) -> None:
    """Chromium opens a review launch: the panel shows, saves, reports a refusal, resends."""
    submit(moodle, lms_session, live_server, stand_in_video, "s1")
    moodle.ags.outage(403)

    page.goto(moodle.login_url("teacher", message_type=c.SUBMISSION_REVIEW_REQUEST, for_user="s1"))

    form = page.locator("#grade-form")
    form.wait_for(state="visible")
    assert page.locator("#player-heading").inner_text() == "Ada Student"
    assert form.locator("input[name=score]").get_attribute("max") == "100"
    form.locator("input[name=score]").fill("77")
    form.locator("textarea[name=comment]").fill("Strong opening.")
    form.locator("button[type=submit]").click()
    sync = page.locator("#grade-sync")
    page.wait_for_selector("#grade-sync[data-state=failed]")
    assert sync.inner_text() == (
        "Not sent to the LMS gradebook: The LMS refused the tool "
        "access to its gradebook (HTTP 403)."
    )
    assert page.locator("#grade-message").inner_text() == "Grade saved."
    row = page.locator("#submissions tr[data-submission-id] td.grade")
    assert row.inner_text() == "77 / 100 · Not sent"

    moodle.ags.restore()
    page.locator("#grade-resend").click()

    page.wait_for_selector("#grade-sync[data-state=sent]")
    assert sync.inner_text() == "Sent to the LMS gradebook."
    assert page.locator("#grade-resend").is_hidden()
    assert row.inner_text() == "77 / 100 · Sent to the LMS"
    (score,) = [s for s in moodle.ags.scores if s.get("gradingProgress") == "FullyGraded"]
    assert (score["scoreGiven"], score["comment"]) == (77, "Strong opening.")
    browser_problems.assert_none()
