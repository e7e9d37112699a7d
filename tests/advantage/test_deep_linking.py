"""Deep linking over HTTP: an instructor's LtiDeepLinkingRequest opens the assignment form;
saving it creates the assignment and posts a signed LtiDeepLinkingResponse back to the LMS,
which verifies it with the tool's JWKS and places the link; launches of that link open it.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from lti_tool.models import VideoAssignment
from tests.advantage.grades_support import hidden_fields, launch_data, page_text, post_form
from tests.lti_platform import claims as c
from tests.lti_platform.lms import LmsPlatform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]

FORM = {
    "title": "Pitch your film",
    "instructions": "Record a 2-minute pitch.\nShow your storyboard.",
    "max_points": "25",
    "due_at": "2030-05-01T23:59",
    "max_size_mb": "200",
    "max_duration_minutes": "3",
    "allow_resubmission": "on",
}


def open_form(lms: LmsPlatform, session: Any, person: str = "teacher") -> Any:
    response = lms.launch(session, person, deep_linking=True)
    return response


def create_link(lms: LmsPlatform, session: Any, live_server: Any, **changes: str) -> Any:
    """The instructor's whole deep linking round trip; returns the LMS's answer page."""
    form = open_form(lms, session)
    assert form.status_code == 200, form.text[:500]
    saved = post_form(
        session,
        live_server.url + "/lti/deep-link/",
        {**hidden_fields(form.text), **FORM, **changes},
    )
    assert saved.status_code == 200, saved.text[:500]
    return lms.follow_auto_post(session, saved)


def test_instructor_sees_the_assignment_form(moodle: LmsPlatform, lms_session: Any) -> None:
    page = open_form(moodle, lms_session)

    assert page.status_code == 200
    assert "New video assignment" in page.text
    for name in (
        "title",
        "instructions",
        "max_points",
        "due_at",
        "max_size_mb",
        "max_duration_minutes",
        "allow_resubmission",
    ):
        assert f'name="{name}"' in page.text
    assert 'action="/lti/deep-link/"' in page.text
    assert set(hidden_fields(page.text)) >= {"dl_token", "timezone"}
    assert VideoAssignment.objects.count() == 0  # nothing is made until the form is saved


def test_round_trip_places_a_link_with_its_gradebook_column(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    answer = create_link(moodle, lms_session, live_server)

    assert answer.status_code == 200, moodle.rejections
    assert "1 item(s) added to Film 101" in answer.text
    # The LMS verified our JWT with our JWKS: signature, iss/aud, nonce, deployment, data.
    (claims,) = moodle.deep_link_returns
    assignment = VideoAssignment.objects.get()
    request = next(p for p in moodle.pending_launches.values() if p.dl_data)
    assert claims[c.DL + "data"] == request.dl_data
    assert claims["iss"] == moodle.client_id
    assert claims["aud"] == moodle.issuer
    assert claims[c.LTI + "deployment_id"] == moodle.deployment_ids[0]
    (item,) = claims[c.DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == "Pitch your film"
    assert item["text"] == FORM["instructions"]
    assert item["url"] == live_server.url + "/lti/launch/"
    assert item["custom"] == {"assignment": str(assignment.deep_link_key)}
    assert item["lineItem"] == {
        "scoreMaximum": 25.0,
        "label": "Pitch your film",
        "resourceId": str(assignment.deep_link_key),
        "tag": "video-assignment",
    }
    assert item["submission"]["endDateTime"].startswith("2030-05-01T23:59:00")
    # The assignment, as the form said.
    assert assignment.title == "Pitch your film"
    assert assignment.max_points == Decimal(25)
    assert assignment.max_size_bytes == 200 * 1024 * 1024
    assert assignment.max_duration_seconds == 180
    assert assignment.allow_resubmission is True
    assert assignment.due_at == datetime(2030, 5, 1, 23, 59, tzinfo=UTC)
    assert assignment.resource_link_id == ""  # the LMS names the link at its first launch
    # The LMS made the gradebook column from the lineItem.
    (column,) = moodle.ags.lineitems.values()
    assert column["scoreMaximum"] == 25.0 and column["resourceLinkId"] == moodle.created_links[0]


def test_a_student_launch_of_the_placed_link_opens_the_assignment(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    create_link(moodle, lms_session, live_server)
    link_id = moodle.created_links[0]

    page = moodle.launch(lms_session, "s1", resource_link_id=link_id)

    data = launch_data(page)
    assignment = VideoAssignment.objects.get()
    assert data["role"] == "student"
    assert data["assignment"]["id"] == assignment.pk
    assert "<h1>Pitch your film</h1>" in page.text
    assert "Show your storyboard." in page.text
    assert assignment.resource_link_id == link_id  # bound by the first launch
    assert assignment.lineitem_url == moodle.ags.lineitem_for_link(link_id)
    # The next launch (the teacher's) finds the same assignment by its resource link.
    teacher = launch_data(moodle.launch(lms_session, "teacher", resource_link_id=link_id))
    assert teacher["assignment"]["id"] == assignment.pk
    assert VideoAssignment.objects.count() == 1


def test_form_errors_are_shown_next_to_the_fields(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    form = open_form(moodle, lms_session)

    page = post_form(
        lms_session,
        live_server.url + "/lti/deep-link/",
        {**hidden_fields(form.text), **FORM, "title": "", "max_points": "-1"},
    )

    assert page.status_code == 400
    assert page_text(page.text, "form-errors") == "Please correct the fields marked below."
    assert "This field is required." in page.text
    assert "Ensure this value is greater than or equal to 0.01." in page.text
    assert hidden_fields(page.text)["dl_token"] == hidden_fields(form.text)["dl_token"]
    assert VideoAssignment.objects.count() == 0
    assert moodle.deep_link_returns == []


def test_saving_the_form_twice_makes_one_assignment(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    form = open_form(moodle, lms_session)
    fields = {**hidden_fields(form.text), **FORM}

    first = post_form(lms_session, live_server.url + "/lti/deep-link/", fields)
    second = post_form(lms_session, live_server.url + "/lti/deep-link/", fields)

    assert first.status_code == second.status_code == 200
    assert VideoAssignment.objects.count() == 1
    assert moodle.follow_auto_post(lms_session, second).status_code == 200


def test_a_forged_or_stale_form_token_is_refused(
    live_server: Any, lms_session: Any, moodle: LmsPlatform
) -> None:
    page = post_form(
        lms_session, live_server.url + "/lti/deep-link/", {**FORM, "dl_token": "forged"}
    )

    assert page.status_code == 400
    assert page_text(page.text, "error-message") == (
        "This form has expired. Please start again from your course."
    )
    assert VideoAssignment.objects.count() == 0


def test_students_cannot_add_assignments(moodle: LmsPlatform, lms_session: Any) -> None:
    page = open_form(moodle, lms_session, person="s1")

    assert page.status_code == 403
    assert page_text(page.text, "error-message") == (
        "Only instructors can add a video assignment to the course."
    )


def test_due_date_is_read_in_the_instructors_time_zone(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    create_link(moodle, lms_session, live_server, timezone="America/New_York")

    assignment = VideoAssignment.objects.get()
    assert assignment.due_at == datetime(2030, 5, 2, 3, 59, tzinfo=UTC)  # EDT is UTC-4
    (item,) = moodle.deep_link_returns[0][c.DL + "content_items"]
    assert datetime.fromisoformat(item["available"]["endDateTime"]) == assignment.due_at


def test_teacher_edits_the_assignment_and_the_gradebook_column_follows(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    create_link(moodle, lms_session, live_server)
    link_id = moodle.created_links[0]
    teacher_page = moodle.launch(lms_session, "teacher", resource_link_id=link_id)
    token = launch_data(teacher_page)["token"]
    assert 'id="edit-assignment"' in teacher_page.text

    form = post_form(lms_session, live_server.url + "/lti/assignment/", {"launch_token": token})
    assert form.status_code == 200
    assert "Edit the video assignment" in form.text
    assert 'value="Pitch your film"' in form.text
    saved = post_form(
        lms_session,
        live_server.url + "/lti/assignment/",
        {
            **hidden_fields(form.text),
            **FORM,
            "title": "Pitch, take two",
            "max_points": "30",
        },
    )

    assert "<h1>Pitch, take two</h1>" in saved.text  # back on the teacher page
    assert launch_data(saved)["assignment"]["maxPoints"] == 30.0
    assignment = VideoAssignment.objects.get()
    assert (assignment.title, assignment.max_points) == ("Pitch, take two", Decimal(30))
    column = moodle.ags.lineitems[assignment.lineitem_url]
    assert (column["label"], column["scoreMaximum"]) == ("Pitch, take two", 30.0)


def test_students_cannot_open_the_edit_form(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    token = launch_data(moodle.launch(lms_session, "s1"))["token"]

    page = post_form(lms_session, live_server.url + "/lti/assignment/", {"launch_token": token})

    assert page.status_code == 403
    assert page_text(page.text, "error-message") == "Only teachers can change the assignment."


def test_canvas_round_trip_and_custom_fields(
    canvas: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    answer = create_link(canvas, lms_session, live_server)
    assert answer.status_code == 200, canvas.rejections
    assert canvas.issuer == "https://canvas.instructure.com"
    (claims,) = canvas.deep_link_returns
    assert claims["aud"] == "https://canvas.instructure.com"
    link_id = canvas.created_links[0]

    page = canvas.launch(lms_session, "s1", resource_link_id=link_id)

    sent = canvas.launches[-1]
    key = VideoAssignment.objects.get().deep_link_key
    assert sent[c.LTI + "custom"] == {"assignment": str(key)}
    assert launch_data(page)["assignment"]["title"] == "Pitch your film"
    assert VideoAssignment.objects.get().resource_link_id == link_id


def test_a_copied_link_gets_its_own_assignment_with_the_same_settings(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    """A course copy (or a duplicated activity) keeps the custom parameter with a new link id."""
    create_link(moodle, lms_session, live_server)
    original = moodle.links[moodle.created_links[0]]
    moodle.launch(lms_session, "s1", resource_link_id=moodle.created_links[0])

    copy = moodle.launch(
        lms_session, "s1", resource_link_id="copied-link", custom=original["custom"]
    )

    copied = VideoAssignment.objects.get(resource_link_id="copied-link")
    assert launch_data(copy)["assignment"]["id"] == copied.pk
    assert (copied.title, copied.max_points) == ("Pitch your film", Decimal(25))
    assert copied.deep_link_key is None
    assert VideoAssignment.objects.count() == 2


def test_an_unknown_assignment_key_opens_a_new_assignment(
    moodle: LmsPlatform, lms_session: Any
) -> None:
    page = moodle.launch(lms_session, "s1", custom={"assignment": str(uuid.uuid4())})

    assert launch_data(page)["assignment"]["title"] == "Video link-1"


def test_the_form_chooses_how_students_may_make_their_video(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    form = open_form(moodle, lms_session)
    for source in ("upload", "camera", "screen"):  # all offered, all ticked at first
        assert re.search(rf'name="allowed_sources" value="{source}"[^>]*checked', form.text)

    create_link(moodle, lms_session, live_server, allowed_sources=["camera", "screen"])  # type: ignore[arg-type]

    assert VideoAssignment.objects.get().allowed_sources == ["camera", "screen"]
    student = moodle.launch(lms_session, "s1", resource_link_id=moodle.created_links[0])
    assert launch_data(student)["assignment"]["allowedSources"] == ["camera", "screen"]
