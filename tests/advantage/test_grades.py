"""Grades to the LMS gradebook over HTTP (LTI AGS), against the independent platform.

Students' confirmed uploads send Submitted/PendingManual; a teacher's grade sends
Completed/FullyGraded with the score and comment. The LMS's AGS endpoint records what
arrives; the teacher sees each grade's sync state through the API.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from lti_tool.models import Grade, ScoreSend, VideoAssignment
from lti_tool.tasks import resend_due_scores, send_score
from tests.advantage.grades_support import (
    ags_token_requests,
    api_for,
    graded_scores,
    page_text,
    submit_video,
    wait_for,
)
from tests.lti_platform import claims as c
from tests.lti_platform.lms import LmsPlatform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]


def submitted(
    lms: LmsPlatform, session: Any, live_server: Any, video: Path, person: str = "s1", **launch: Any
) -> dict[str, Any]:
    """A student launches and submits a video; returns the confirmed submission."""
    api = api_for(live_server, lms.launch(session, person, **launch))
    return submit_video(api, video)


def teacher(lms: LmsPlatform, session: Any, live_server: Any, **launch: Any) -> Any:
    return api_for(live_server, lms.launch(session, "teacher", **launch))


def test_a_confirmed_upload_tells_the_gradebook_it_awaits_grading(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submitted(moodle, lms_session, live_server, stand_in_video)

    (score,) = moodle.ags.scores
    assert score["userId"] == moodle.people["s1"].sub
    assert score["activityProgress"] == "Submitted"
    assert score["gradingProgress"] == "PendingManual"
    assert "scoreGiven" not in score
    assert score["timestamp"].endswith("+00:00")
    assert score["lineitem"] == VideoAssignment.objects.get().lineitem_url


def test_a_teachers_grade_reaches_the_gradebook(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(moodle, lms_session, live_server, stand_in_video)
    api = teacher(moodle, lms_session, live_server)

    response = api.post(
        f"/api/submissions/{submission['id']}/grade",
        {"score": 87.5, "comment": "Clear and well paced."},
    )

    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["score"], shown["comment"], shown["max_points"]) == (
        87.5,
        "Clear and well paced.",
        100.0,
    )
    assert shown["graded_by"] == "Terry Teacher"
    assert shown["sync"]["state"] == "sent"
    assert shown["sync"]["message"] == "Sent to the LMS gradebook."
    (score,) = graded_scores(moodle, "s1")
    assert score["scoreGiven"] == 87.5
    assert score["scoreMaximum"] == 100.0
    assert score["comment"] == "Clear and well paced."
    assert score["activityProgress"] == "Completed"
    assert score["timestamp"] > moodle.ags.scores[0]["timestamp"]  # after the Submitted one
    # The LMS's own results (what its gradebook shows) agree.
    (result,) = moodle.ags.results(score["lineitem"])
    assert (result["resultScore"], result["comment"]) == (87.5, "Clear and well paced.")
    # The teacher's list shows the grade too.
    (listed,) = api.get("/api/grades").json()
    assert listed["submission_id"] == submission["id"] and listed["score"] == 87.5
    # The student reads the grade and the comment when they open the assignment again.
    student_page = moodle.launch(lms_session, "s1").text
    assert "87.5 / 100" in student_page
    assert "Clear and well paced." in student_page


def test_many_grades_cost_one_token_request(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    for person in ("s1", "s2", "s3"):
        submitted(moodle, lms_session, live_server, stand_in_video, person=person)
    api = teacher(moodle, lms_session, live_server)
    submissions = {
        s["student"]["name"]: s["id"] for s in api.get("/api/submissions").json()["items"]
    }
    grades = [
        ("Ada Student", 70),
        ("Ben Student", 80),
        ("Cleo Student", 90),
        ("Ada Student", 75),
        ("Ben Student", 85),
    ]

    for name, score in grades:
        response = api.post(f"/api/submissions/{submissions[name]}/grade", {"score": score})
        assert response.json()["sync"]["state"] == "sent"

    assert len(graded_scores(moodle, "s1")) + len(graded_scores(moodle, "s2")) == 4
    assert len(moodle.ags.scores) == 3 + 5  # three Submitted, five graded
    assert len(ags_token_requests(moodle)) == 1


def test_the_line_item_of_a_hand_placed_link_is_created_once_and_reused(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    """Moodle: two deployment ids, a link placed by hand, only `lineitems` in the claim."""
    assert moodle.ags.lineitems == {}
    page = moodle.launch(
        lms_session, "teacher", resource_link_id="hand-1", deployment_id=moodle.deployment_ids[1]
    )
    assert page.status_code == 200
    assert "lineitem" not in moodle.launches[-1][c.AGS_CLAIM]

    (column,) = moodle.ags.lineitems.values()
    assignment = VideoAssignment.objects.get()
    assert column["resourceLinkId"] == "hand-1"
    assert column["label"] == "Video hand-1"
    assert column["scoreMaximum"] == 100.0
    assert column["tag"] == "video-assignment"
    assert assignment.lineitem_url == column["id"]
    assert "type_id=1" in column["id"]

    submitted(moodle, lms_session, live_server, stand_in_video, resource_link_id="hand-1")
    moodle.launch(lms_session, "teacher", resource_link_id="hand-1")

    assert len(moodle.ags.lineitems) == 1  # found again, never made twice
    assert moodle.ags.scores[0]["lineitem"] == column["id"]


def test_an_existing_column_of_the_link_is_found_not_duplicated(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    """The teacher made the column in the LMS; this launch's claim does not name it."""
    made = moodle.ags.add_lineitem("hand-2", "Made in Moodle", 10)
    claim = {"lineitems": moodle.lineitems_url, "scope": list(c.AGS_SCOPES)}

    moodle.launch(
        lms_session, "teacher", resource_link_id="hand-2", claim_overrides={c.AGS_CLAIM: claim}
    )

    assert VideoAssignment.objects.get().lineitem_url == made["id"]
    assert len(moodle.ags.lineitems) == 1


def test_a_grade_is_not_lost_while_the_lms_is_down(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    """Eager tasks: the retry is driven by the beat sweep (`resend_due_scores`); the real
    worker's own retries are in test_outage_with_a_real_worker."""
    submission = submitted(moodle, lms_session, live_server, stand_in_video)
    api = teacher(moodle, lms_session, live_server)
    moodle.ags.outage(503)

    saved = api.post(f"/api/submissions/{submission['id']}/grade", {"score": 60})

    sync = saved.json()["sync"]
    assert saved.json()["score"] == 60.0  # saved here at once
    assert sync["state"] == "pending"
    assert sync["message"] == (
        "Not sent yet: The LMS answered HTTP 503. Retrying automatically (attempt 1)."
    )
    assert graded_scores(moodle, "s1") == []
    moodle.ags.restore()
    ScoreSend.objects.update(next_attempt_at="2000-01-01T00:00:00Z")  # its retry is due

    assert resend_due_scores() == 1
    assert resend_due_scores() == 0  # sent rows are never sent again

    (score,) = graded_scores(moodle, "s1")
    assert score["scoreGiven"] == 60
    assert api.get(f"/api/submissions/{submission['id']}/grade").json()["sync"]["state"] == "sent"


def test_a_newer_grade_supersedes_an_unsent_one(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(moodle, lms_session, live_server, stand_in_video)
    api = teacher(moodle, lms_session, live_server)
    moodle.ags.outage(503)
    api.post(f"/api/submissions/{submission['id']}/grade", {"score": 50, "comment": "Draft"})
    api.post(f"/api/submissions/{submission['id']}/grade", {"score": 65, "comment": "Final"})
    moodle.ags.restore()
    ScoreSend.objects.update(next_attempt_at="2000-01-01T00:00:00Z")

    resend_due_scores()

    (score,) = graded_scores(moodle, "s1")
    assert (score["scoreGiven"], score["comment"]) == (65, "Final")
    assert set(ScoreSend.objects.values_list("state", flat=True)) == {"sent", "superseded"}


def test_a_send_left_claimed_by_a_crashed_worker_is_picked_up_again(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, sample_video: Path
) -> None:
    """A worker claims a row (`sending`, committed) before it calls the LMS; if it dies
    before recording the outcome, the beat sweep makes the row pending again."""
    submission = submitted(moodle, lms_session, live_server, sample_video)
    api = teacher(moodle, lms_session, live_server)
    moodle.ags.outage(503)
    api.post(f"/api/submissions/{submission['id']}/grade", {"score": 70})
    moodle.ags.restore()
    row = ScoreSend.objects.get(kind=ScoreSend.Kind.GRADED)
    ScoreSend.objects.filter(pk=row.pk).update(  # what a worker's claim of attempt 2 writes
        state=ScoreSend.State.SENDING,
        claimed_at=timezone.now(),
        attempts=2,
        next_attempt_at="2000-01-01T00:00:00Z",
    )

    assert send_score(row.pk) == "busy"  # a live claim: another worker is sending it
    assert resend_due_scores() == 0
    sync = api.get(f"/api/submissions/{submission['id']}/grade").json()["sync"]
    assert (sync["state"], sync["attempts"]) == ("pending", 1)  # the attempt in flight: not yet
    assert sync["message"] == (
        "Not sent yet: The LMS answered HTTP 503. Retrying automatically (attempt 1)."
    )
    ScoreSend.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))

    assert resend_due_scores() == 1

    (score,) = graded_scores(moodle, "s1")
    assert score["scoreGiven"] == 70
    row.refresh_from_db()
    assert (row.state, row.claimed_at, row.attempts) == (ScoreSend.State.SENT, None, 3)


def test_a_refused_grade_shows_why_and_can_be_resent(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(moodle, lms_session, live_server, stand_in_video)
    api = teacher(moodle, lms_session, live_server)
    moodle.ags.outage(403)  # not worth retrying on its own: the LMS refuses

    saved = api.post(f"/api/submissions/{submission['id']}/grade", {"score": 42})

    sync = saved.json()["sync"]
    assert sync["state"] == "failed"
    assert sync["message"] == (
        "Not sent to the LMS gradebook: The LMS refused the tool access "
        "to its gradebook (HTTP 403)."
    )
    assert sync["can_resend"] is True
    moodle.ags.restore()

    resent = api.post(f"/api/submissions/{submission['id']}/grade/resend")

    assert resent.status_code == 200
    assert resent.json()["sync"]["state"] == "sent"
    (score,) = graded_scores(moodle, "s1")
    assert score["scoreGiven"] == 42
    again = api.post(f"/api/submissions/{submission['id']}/grade/resend")
    assert again.status_code == 409
    assert again.json()["message"] == "There is no unsent score for this student."


def test_canvas_grades(
    canvas: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(canvas, lms_session, live_server, stand_in_video)
    api = teacher(canvas, lms_session, live_server)

    shown = api.post(
        f"/api/submissions/{submission['id']}/grade", {"score": 9, "comment": "Good"}
    ).json()

    assert shown["sync"]["state"] == "sent"
    (score,) = graded_scores(canvas, "s1")
    assert score["userId"] == canvas.people["s1"].sub
    assert "/api/lti/courses/course-1/line_items/" in score["lineitem"]
    assert VideoAssignment.objects.get().course.issuer == "https://canvas.instructure.com"


def test_scores_outside_the_range_are_refused(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(moodle, lms_session, live_server, stand_in_video)
    api = teacher(moodle, lms_session, live_server)

    too_high = api.post(f"/api/submissions/{submission['id']}/grade", {"score": 101})
    negative = api.post(f"/api/submissions/{submission['id']}/grade", {"score": -1})

    assert too_high.status_code == 400
    assert too_high.json()["message"] == "The score must be between 0 and 100."
    assert negative.status_code == 400
    assert Grade.objects.count() == 0


def test_students_cannot_grade_and_other_courses_see_nothing(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(moodle, lms_session, live_server, stand_in_video)
    student = api_for(live_server, moodle.launch(lms_session, "s1"))
    moodle.course = {"id": "course-2", "title": "Film 202", "label": "FILM202"}
    other_teacher = teacher(moodle, lms_session, live_server)

    by_student = student.post(f"/api/submissions/{submission['id']}/grade", {"score": 100})
    by_other = other_teacher.post(f"/api/submissions/{submission['id']}/grade", {"score": 1})
    peek = other_teacher.get(f"/api/submissions/{submission['id']}/grade")

    assert by_student.status_code == 403
    assert by_student.json()["message"] == "Only teachers can grade."
    assert by_other.status_code == peek.status_code == 404
    assert Grade.objects.count() == 0


def test_without_grade_services_the_grade_stays_here(
    moodle: LmsPlatform, lms_session: Any, live_server: Any, stand_in_video: Path
) -> None:
    submission = submitted(moodle, lms_session, live_server, stand_in_video, ags=False)
    api = teacher(moodle, lms_session, live_server, ags=False)

    shown = api.post(f"/api/submissions/{submission['id']}/grade", {"score": 5}).json()

    assert shown["score"] == 5
    assert shown["sync"]["state"] == "unavailable"
    assert shown["sync"]["message"] == (
        "Saved here only: the LMS did not connect this link to its gradebook."
    )
    assert moodle.ags.scores == []


def test_the_teacher_page_has_the_grading_panel(moodle: LmsPlatform, lms_session: Any) -> None:
    page = moodle.launch(lms_session, "teacher")

    assert 'id="grade-form"' in page.text
    assert 'name="score"' in page.text and 'max="100"' in page.text
    assert 'name="comment"' in page.text
    assert 'id="grade-sync"' in page.text and 'id="grade-resend"' in page.text
    assert page_text(page.text, "grade-heading") == "Grade"


def test_outage_with_a_real_worker(
    moodle: LmsPlatform,
    lms_session: Any,
    live_server: Any,
    stand_in_video: Path,
    celery_worker: None,
) -> None:
    """The worker retries with backoff while the LMS is down; once it is back each grade
    arrives exactly once."""
    ids = {
        p: submitted(moodle, lms_session, live_server, stand_in_video, person=p)["id"]
        for p in ("s1", "s2")
    }
    wait_for(lambda: len(moodle.ags.scores) == 2, what="the two Submitted scores")
    api = teacher(moodle, lms_session, live_server)
    moodle.ags.outage(503)

    for person, score in (("s1", 71), ("s2", 82)):
        saved = api.post(f"/api/submissions/{ids[person]}/grade", {"score": score})
        assert saved.json()["sync"]["state"] == "pending"
    wait_for(
        lambda: (
            min(ScoreSend.objects.filter(kind="graded").values_list("attempts", flat=True)) >= 3
        ),
        what="three attempts of each grade during the outage",
    )
    sync = api.get(f"/api/submissions/{ids['s1']}/grade").json()["sync"]
    assert sync["state"] == "pending"
    assert sync["message"].startswith("Not sent yet: The LMS answered HTTP 503. Retrying")
    assert graded_scores(moodle, "s1") == graded_scores(moodle, "s2") == []

    moodle.ags.restore()

    wait_for(
        lambda: graded_scores(moodle, "s1") and graded_scores(moodle, "s2"),
        what="both grades after the LMS came back",
    )
    time.sleep(2)  # would a retry still in flight send one again?
    assert [s["scoreGiven"] for s in graded_scores(moodle, "s1")] == [71]
    assert [s["scoreGiven"] for s in graded_scores(moodle, "s2")] == [82]
    assert api.get(f"/api/submissions/{ids['s2']}/grade").json()["sync"]["state"] == "sent"
    assert len(ags_token_requests(moodle)) == 1
