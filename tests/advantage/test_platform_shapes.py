"""Blackboard Learn, D2L Brightspace, Sakai and Schoology, each as the independent platform of
tests/lti_platform plays it (claim shapes, ids, role URIs, AGS/NRPS endpoints, deep linking
accept types and auto_create, as their public documentation describes them; STATUS.md lists
what is documented and what is assumed): deep link, launch, AGS score and NRPS roster.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from lti_tool.models import PlatformRegistration, VideoAssignment
from tests.advantage.grades_support import (
    api_for,
    graded_scores,
    hidden_fields,
    launch_data,
    post_form,
    submit_video,
)
from tests.fixtures.lms import register
from tests.lti_platform import claims as c
from tests.lti_platform.lms import LmsPlatform, start_platform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]

SHAPES = ["blackboard", "brightspace", "sakai", "schoology"]
FORM = {"title": "Pitch your film", "instructions": "Two minutes.", "max_points": "20"}


@pytest.fixture(params=SHAPES)
def lms(request: pytest.FixtureRequest, live_server: Any) -> Iterator[LmsPlatform]:
    platform = start_platform(request.param)
    yield register(platform, live_server)
    platform.stop()


def test_deep_link_launch_score_and_roster(
    lms: LmsPlatform, lms_session: requests.Session, live_server: Any, stand_in_video: Path
) -> None:
    # The instructor places the assignment with deep linking; the LMS verifies the response.
    form = lms.launch(lms_session, "teacher", deep_linking=True)
    assert form.status_code == 200, form.text[:500]
    settings = lms.launches[-1][c.DL_SETTINGS]
    assert "ltiResourceLink" in settings["accept_types"]
    saved = post_form(
        lms_session, live_server.url + "/lti/deep-link/", {**hidden_fields(form.text), **FORM}
    )
    assert saved.status_code == 200, saved.text[:500]
    back = lms.follow_auto_post(lms_session, saved)
    assert back.status_code == 200, (back.text[:300], lms.rejections)
    (returned,) = lms.deep_link_returns
    (item,) = returned[c.DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Pitch your film"
    link = lms.created_links[-1]

    # The student opens the placed link and hands in a video: the gradebook hears of it.
    student = lms.launch(lms_session, "s1", resource_link_id=link)
    assert launch_data(student)["role"] == "student", student.text[:300]
    assignment = VideoAssignment.objects.get(title="Pitch your film")
    assert assignment.lineitem_url.startswith(lms.url)
    submission = submit_video(api_for(live_server, student), stand_in_video)

    # The teacher grades it: the score reaches this LMS's AGS endpoint.
    teacher = api_for(live_server, lms.launch(lms_session, "teacher", resource_link_id=link))
    graded = teacher.post(
        f"/api/submissions/{submission['id']}/grade", {"score": 17, "comment": "Good."}
    )
    assert graded.status_code == 200, graded.text
    assert graded.json()["sync"]["state"] == "sent", (graded.json(), lms.rejections)
    (score,) = graded_scores(lms, "s1")
    assert (score["scoreGiven"], score["scoreMaximum"]) == (17, 20)
    assert score["userId"] == lms.people["s1"].sub

    # The TA (Sakai's non-standard role URI included) grades too.
    ta = lms.launch(lms_session, "ta", resource_link_id=link)
    assert launch_data(ta)["role"] == "teacher"

    # The roster comes from this LMS's NRPS endpoint, learners only.
    roster = teacher.get("/api/roster")
    assert roster.status_code == 200, roster.text
    learners = {learner["name"] for learner in roster.json()["learners"]}
    assert learners == {"Ada Student", "Ben Student", "Cleo Student"}, (
        roster.json(),
        lms.rejections,
    )
    assert lms.errors == []


def test_brightspace_client_assertion_uses_its_audience(
    lms_session: requests.Session, live_server: Any, stand_in_video: Path
) -> None:
    """Brightspace refuses a client assertion addressed to its token URL: the registration's
    audience (`register_platform --token-audience`) is what it accepts."""
    lms = register(start_platform("brightspace"), live_server)
    try:
        registration = PlatformRegistration.objects.get()
        assert registration.token_audience == "https://api.brightspace.com/auth/token"
        api = api_for(live_server, lms.launch(lms_session, "s1"))
        submit_video(api, stand_in_video)
        assert lms.ags.scores, lms.rejections
        assert all(request["error"] is None for request in lms.token_requests)
    finally:
        lms.stop()
