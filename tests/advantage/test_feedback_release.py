"""Feedback and release against the independent LMS over HTTP (tests/lti_platform): the AGS
comment carries the time-stamped comments, held grades are sent once each on release, and a
change of maximum points resends rescaled (or kept) scores so the gradebook agrees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lti_tool.models import Grade, VideoAssignment
from tests.advantage.grades_support import (
    api_for,
    graded_scores,
    hidden_fields,
    launch_data,
    post_form,
    submit_video,
)
from tests.lti_platform.lms import LmsPlatform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]


def _submit(lms: LmsPlatform, session: Any, live_server: Any, video: Path, person: str) -> int:
    api = api_for(live_server, lms.launch(session, person))
    return int(submit_video(api, video)["id"])


def _edit(lms: LmsPlatform, session: Any, live_server: Any, **fields: str) -> Any:
    """The teacher saves the "Edit assignment" form with these changes."""
    token = launch_data(lms.launch(session, "teacher"))["token"]
    url = live_server.url + "/lti/assignment/"
    form = post_form(session, url, {"launch_token": token})
    assignment = VideoAssignment.objects.get()
    data = {
        **hidden_fields(form.text),
        "title": assignment.title,
        "max_points": str(assignment.max_points),
        "allow_resubmission": "on",
        **fields,
    }
    saved = post_form(session, url, {k: v for k, v in data.items() if v != ""})
    assert saved.status_code == 200, saved.text[:800]
    return saved


def test_the_gradebook_comment_summarises_the_time_stamped_comments(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission_id = _submit(moodle, lms_session, live_server, stand_in_video, "s1")
    api = api_for(live_server, moodle.launch(lms_session, "teacher"))
    for at, text in ((1.6, "The audio drops here."), (0.4, "Good opening line.")):
        added = api.post(
            f"/api/submissions/{submission_id}/comments", {"at_seconds": at, "text": text}
        )
        assert added.status_code == 201, added.text

    api.post(f"/api/submissions/{submission_id}/grade", {"score": 17, "comment": "Well argued."})

    (score,) = graded_scores(moodle, "s1")
    assert score["scoreGiven"] == 17
    assert score["comment"] == (
        "Well argued.\n\n[00:00] Good opening line.\n[00:01] The audio drops here."
    )
    (result,) = moodle.ags.results(score["lineitem"])
    assert result["comment"] == score["comment"]

    # A comment added after the grade was sent reaches the gradebook too.
    api.post(f"/api/submissions/{submission_id}/comments", {"at_seconds": 1.9, "text": "Fixed."})
    (result,) = moodle.ags.results(score["lineitem"])
    assert result["comment"].endswith("[00:01] The audio drops here.\n[00:01] Fixed.")
    assert [s["scoreGiven"] for s in graded_scores(moodle, "s1")] == [17, 17]


def test_held_grades_are_sent_only_on_release_and_once_each(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    first = _submit(moodle, lms_session, live_server, stand_in_video, "s1")
    second = _submit(moodle, lms_session, live_server, stand_in_video, "s2")
    _edit(moodle, lms_session, live_server, hold_grades="on")
    api = api_for(live_server, moodle.launch(lms_session, "teacher"))

    for submission_id, score in ((first, 14), (second, 19)):
        saved = api.post(f"/api/submissions/{submission_id}/grade", {"score": score})
        assert saved.status_code == 200, saved.text

    assert graded_scores(moodle, "s1") == graded_scores(moodle, "s2") == []
    student = moodle.launch(lms_session, "s1")
    assert "14 / 100" not in student.text
    student_api = api_for(live_server, student)
    assert student_api.get("/api/my-feedback").json() | {"comments": []} == {
        "released": False,
        "held": True,
        "score": None,
        "max_points": None,
        "comment": "",
        "graded_at": None,
        "submission_id": None,
        "comments": [],
        "rubric": [],
        "score_note": "",
    }
    queue = api.get("/api/queue").json()
    assert queue["counts"]["held"] == 2 and queue["hold_grades"] is True

    released = api.post("/api/grades/release", {})
    again = api.post("/api/grades/release", {})

    assert (released.json(), again.json()) == ({"released": 2}, {"released": 0})
    assert [s["scoreGiven"] for s in graded_scores(moodle, "s1")] == [14]
    assert [s["scoreGiven"] for s in graded_scores(moodle, "s2")] == [19]
    assert "14 / 100" in moodle.launch(lms_session, "s1").text
    assert student_api.get("/api/my-feedback").json()["score"] == 14.0


@pytest.mark.parametrize(
    ("choice", "expected"), [("rescale", 22.5), ("keep", 18.0)], ids=["rescale", "keep"]
)
def test_a_new_maximum_resends_the_scores_and_the_gradebook_agrees(
    moodle: LmsPlatform,
    lms_session: Any,
    live_server: Any,
    stand_in_video: Path,
    choice: str,
    expected: float,
) -> None:
    submission_id = _submit(moodle, lms_session, live_server, stand_in_video, "s1")
    _edit(moodle, lms_session, live_server, max_points="20")
    api = api_for(live_server, moodle.launch(lms_session, "teacher"))
    api.post(f"/api/submissions/{submission_id}/grade", {"score": 18, "comment": "Good."})

    _edit(moodle, lms_session, live_server, max_points="25", max_points_change=choice)

    assignment = VideoAssignment.objects.get()
    assert float(Grade.objects.get().score) == expected  # the tool
    shown = api.get(f"/api/submissions/{submission_id}/grade").json()
    assert (shown["score"], shown["max_points"]) == (expected, 25.0)
    column = moodle.ags.lineitems[assignment.lineitem_url]
    assert column["scoreMaximum"] == 25.0  # the LMS's column
    latest = graded_scores(moodle, "s1")[-1]  # what AGS received last
    assert (latest["scoreGiven"], latest["scoreMaximum"]) == (expected, 25.0)
    (result,) = moodle.ags.results(assignment.lineitem_url)  # the gradebook
    assert (result["resultScore"], result["resultMaximum"]) == (expected, 25.0)


RUBRIC = "Delivery\n4 | Clear and confident\n2 | Hesitant\nContent\n6 | Complete\n3 | Gaps"


def test_grading_with_the_rubric_sends_its_total_and_the_student_sees_it_filled(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission_id = _submit(moodle, lms_session, live_server, stand_in_video, "s1")
    _edit(moodle, lms_session, live_server, max_points="10", rubric_text=RUBRIC)
    teacher_page = moodle.launch(lms_session, "teacher")
    rubric = launch_data(teacher_page)["assignment"]["rubric"]
    assert [c["title"] for c in rubric] == ["Delivery", "Content"]
    api = api_for(live_server, teacher_page)
    url = f"/api/submissions/{submission_id}/grade"

    # Levels: Delivery "Clear and confident" (4), Content "Gaps" (3): the total is 7.
    unexplained = api.post(url, {"score": 8, "rubric_levels": [0, 1]})
    saved = api.post(url, {"score": 7, "rubric_levels": [0, 1], "comment": "Nice."})

    assert unexplained.status_code == 400
    assert "differs from the rubric's total (7)" in unexplained.json()["message"]
    assert saved.status_code == 200, saved.text
    assert saved.json()["rubric_levels"] == [0, 1]
    (score,) = graded_scores(moodle, "s1")
    assert (score["scoreGiven"], score["scoreMaximum"]) == (7, 10)
    assert score["comment"] == "Nice.\nRubric: Delivery 4/4; Content 3/6"
    feedback = api_for(live_server, moodle.launch(lms_session, "s1")).get("/api/my-feedback")
    assert [(c["title"], c["points"], c["description"]) for c in feedback.json()["rubric"]] == [
        ("Delivery", 4, "Clear and confident"),
        ("Content", 3, "Gaps"),
    ]

    adjusted = api.post(url, {"score": 8, "rubric_levels": [0, 1], "score_note": "Extra effort"})

    assert adjusted.status_code == 200, adjusted.text
    assert graded_scores(moodle, "s1")[-1]["comment"] == (
        "Rubric: Delivery 4/4; Content 3/6\nScore adjusted: Extra effort"
    )


def test_a_rubric_worth_more_than_the_maximum_is_refused(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    moodle.launch(lms_session, "teacher")
    token = launch_data(moodle.launch(lms_session, "teacher"))["token"]
    url = live_server.url + "/lti/assignment/"
    form = post_form(lms_session, url, {"launch_token": token})
    fields = {**hidden_fields(form.text), "title": "T", "max_points": "5", "rubric_text": RUBRIC}

    refused = post_form(lms_session, url, fields)

    assert refused.status_code == 400
    assert "add up to 10, more than the maximum points" in refused.text
    assert VideoAssignment.objects.get().rubric == []


def test_a_rubric_is_copied_from_another_assignment_of_the_course(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    _edit(moodle, lms_session, live_server, max_points="10", rubric_text=RUBRIC)
    first = VideoAssignment.objects.get()
    page = moodle.launch(lms_session, "teacher", resource_link_id="second-link")
    second = VideoAssignment.objects.get(resource_link_id="second-link")
    url = live_server.url + "/lti/assignment/"
    form = post_form(lms_session, url, {"launch_token": launch_data(page)["token"]})
    assert f'<option value="{first.pk}">{first.title}</option>' in form.text

    saved = post_form(
        lms_session,
        url,
        {
            **hidden_fields(form.text),
            "title": "Second",
            "max_points": "10",
            "copy_rubric_from": str(first.pk),
        },
    )

    assert saved.status_code == 200, saved.text[:500]
    second.refresh_from_db()
    assert second.rubric == first.rubric != []
    assert launch_data(saved)["assignment"]["rubric"] == first.rubric
