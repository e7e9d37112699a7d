"""The class roster (GET /api/roster) against an independent LMS over real HTTP.

The LMS (tests/lti_platform) launches the tool, serves its token endpoint and its Names and
Role Provisioning service with `Link: rel="next"` paging; the tool runs in `live_server`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from django.core.cache import cache
from django.utils import timezone

from lti_tool.models import Course, LtiUser, Submission, VideoAssignment
from tests.factories import SubmissionFactory
from tests.lti_platform import LmsPlatform, services
from tests.lti_platform.server import Request, Response

pytestmark = pytest.mark.django_db(transaction=True)

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
_LAUNCH_DATA = re.compile(r'<script id="launch-data" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def nrps_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """The query of every membership request any LMS in the test answered."""
    calls: list[dict[str, str]] = []
    answer = services.handle_memberships

    def recording(lms: LmsPlatform, request: Request) -> Response:
        calls.append(request.query)
        return answer(lms, request)

    monkeypatch.setattr(services, "handle_memberships", recording)
    return calls


@pytest.fixture
def launch(lms_session: requests.Session) -> Callable[..., str]:
    """Launch someone from an LMS; returns the launch token the tool's page carries."""

    def launch_as(lms: LmsPlatform, person: str, **options: Any) -> str:
        page = lms.launch(lms_session, person, **options)
        assert page.status_code == 200, (page.text[:500], lms.rejections)
        match = _LAUNCH_DATA.search(page.text)
        assert match, page.text[:500]
        return str(json.loads(match.group(1))["token"])

    return launch_as


@pytest.fixture
def get_roster(live_server: Any) -> Callable[[str], requests.Response]:
    def get(token: str) -> requests.Response:
        return requests.get(
            f"{live_server.url}/api/roster",
            timeout=20,
            headers={"Authorization": f"Bearer {token}"},
        )

    return get


def _roster(get_roster: Callable[[str], requests.Response], token: str) -> dict[str, Any]:
    response = get_roster(token)
    assert response.status_code == 200, response.text
    return response.json()


def _by_sub(roster: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["user_id"]: row for row in roster["learners"]}


def _assignment(lms: LmsPlatform, link: str = "link-1") -> VideoAssignment:
    return VideoAssignment.objects.select_related("course").get(
        course__issuer=lms.issuer, course__context_id=lms.course["id"], resource_link_id=link
    )


def _submit(
    lms: LmsPlatform,
    person: str,
    *,
    at: datetime,
    state: str = Submission.State.READY,
    link: str = "link-1",
) -> Submission:
    """A current submission by `person`, as if uploaded at `at` (the ORM, for speed)."""
    assignment = _assignment(lms, link)
    who = lms.people[person]
    student, _ = LtiUser.objects.get_or_create(
        tenant=assignment.course.tenant,
        issuer=lms.issuer,
        sub=who.sub,
        defaults={"name": who.name, "email": who.email},
    )
    submission = SubmissionFactory(
        assignment=assignment,
        student=student,
        state=state,
        is_current=True,
        filename="video.mp4",
        size_bytes=1000,
    )
    Submission.objects.filter(pk=submission.pk).update(created_at=at, uploaded_at=at)
    return submission


def test_the_roster_follows_every_page_and_lists_only_learners(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    nrps_calls: list[dict[str, str]],
) -> None:
    moodle.add_person("s4", "Dana Student")
    moodle.add_person("s5", "Eli Student")
    moodle.nrps.page_size = 2
    token = launch(moodle, "teacher")

    roster = _roster(get_roster, token)

    # Teacher, TA and five learners: seven members, four pages of two.
    assert len(nrps_calls) == 4 == -(-len(moodle.nrps.members) // 2)
    assert [call.get("page", "1") for call in nrps_calls] == ["1", "2", "3", "4"]
    learners = [p for key, p in moodle.people.items() if key.startswith("s")]
    assert sorted(row["name"] for row in roster["learners"]) == sorted(p.name for p in learners)
    assert roster["available"] is True and roster["message"] is None
    assert roster["counts"] == {
        "enrolled": 5,
        "submitted": 0,
        "missing": 5,
        "late": 0,
        "not_enrolled": 0,
    }
    ada = _by_sub(roster)[moodle.people["s1"].sub]
    assert ada["email"] == "s1@example.edu" and ada["status"] == "missing"
    course = Course.objects.get(issuer=moodle.issuer, context_id="course-1")
    assert course.memberships_url == moodle.memberships_url
    assert course.platform is not None and course.platform.client_id == moodle.client_id


def test_the_roster_is_scoped_to_the_resource_link(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    nrps_calls: list[dict[str, str]],
) -> None:
    people = moodle.people
    moodle.nrps.link_members["link-1"] = [people[k].sub for k in ("teacher", "s1", "s2")]

    roster = _roster(get_roster, launch(moodle, "teacher", resource_link_id="link-1"))

    assert {call.get("rlid") for call in nrps_calls} == {"link-1"}
    assert sorted(_by_sub(roster)) == sorted([people["s1"].sub, people["s2"].sub])
    # Another link the platform does not narrow: everyone in the course.
    other = _roster(get_roster, launch(moodle, "teacher", resource_link_id="link-2"))
    assert nrps_calls[-1].get("rlid") == "link-2"
    assert other["counts"]["enrolled"] == 3


def test_a_platform_without_nrps_2_gets_no_rlid(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    nrps_calls: list[dict[str, str]],
) -> None:
    moodle.nrps.link_members["link-1"] = [moodle.people["s1"].sub]
    claim = {"context_memberships_url": moodle.memberships_url, "service_versions": ["1.0"]}

    roster = _roster(get_roster, launch(moodle, "teacher", claim_overrides={NRPS_CLAIM: claim}))

    assert nrps_calls and all("rlid" not in call for call in nrps_calls)
    assert roster["counts"]["enrolled"] == 3


def test_submitted_missing_late_and_no_longer_enrolled(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
) -> None:
    moodle.add_person("s4", "Dana Student")
    moodle.add_person("s5", "Eli Student")
    token = launch(moodle, "teacher")
    due = timezone.now() - timedelta(days=1)
    VideoAssignment.objects.filter(pk=_assignment(moodle).pk).update(due_at=due)
    on_time = _submit(moodle, "s1", at=due - timedelta(hours=2))
    late = _submit(moodle, "s2", at=due + timedelta(hours=3), state=Submission.State.PROCESSING)
    failed = _submit(moodle, "s3", at=due - timedelta(hours=1), state=Submission.State.FAILED)
    gone = _submit(moodle, "s4", at=due - timedelta(hours=5))
    dana = moodle.people["s4"].sub
    moodle.nrps.members = [m for m in moodle.nrps.members if m["user_id"] != dana]
    eli = next(m for m in moodle.nrps.members if m["user_id"] == moodle.people["s5"].sub)
    eli["status"] = "Inactive"  # dropped the course: not expected to submit

    roster = _roster(get_roster, token)

    rows = _by_sub(roster)
    s = {key: rows.get(moodle.people[key].sub) for key in ("s1", "s2", "s3", "s4", "s5")}
    assert s["s5"] is None
    assert s["s1"] and s["s1"]["status"] == "submitted" and s["s1"]["past_due"] is False
    assert s["s1"]["submission_id"] == on_time.pk
    assert s["s2"] and s["s2"]["status"] == "late" and s["s2"]["status_label"] == "Submitted late"
    assert s["s2"]["submission_id"] == late.pk
    submitted_at = datetime.fromisoformat(s["s2"]["submitted_at"])
    assert abs(submitted_at - (due + timedelta(hours=3))) < timedelta(milliseconds=1)
    assert s["s3"] and s["s3"]["status"] == "missing" and s["s3"]["past_due"] is True
    assert s["s3"]["status_label"] == "Missing, past due"
    assert s["s3"]["submission_id"] == failed.pk and s["s3"]["submission_state"] == "failed"
    assert s["s4"] and s["s4"]["enrolled"] is False and s["s4"]["submission_id"] == gone.pk
    assert s["s4"]["status"] == "submitted" and roster["learners"][-1] == s["s4"]
    assert roster["counts"] == {
        "enrolled": 3,
        "submitted": 2,
        "missing": 1,
        "late": 1,
        "not_enrolled": 1,
    }


def test_without_a_due_date_nobody_is_late(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
) -> None:
    token = launch(moodle, "teacher")
    _submit(moodle, "s1", at=timezone.now() + timedelta(days=30))

    roster = _roster(get_roster, token)

    statuses = {row["name"]: (row["status"], row["past_due"]) for row in roster["learners"]}
    assert statuses == {
        "Ada Student": ("submitted", False),
        "Ben Student": ("missing", False),
        "Cleo Student": ("missing", False),
    }


def test_the_class_list_is_cached_but_submissions_are_fresh(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    nrps_calls: list[dict[str, str]],
) -> None:
    moodle.nrps.page_size = 10
    token = launch(moodle, "teacher")
    first = _roster(get_roster, token)
    assert len(nrps_calls) == 1 and first["counts"]["submitted"] == 0
    moodle.add_person("s4", "Dana Student")  # enrols after the roster was read
    _submit(moodle, "s1", at=timezone.now())

    second = _roster(get_roster, token)

    assert len(nrps_calls) == 1  # within the cache time: the LMS is not asked again
    assert second["counts"]["submitted"] == 1 and second["counts"]["enrolled"] == 3
    assert second["fetched_at"] == first["fetched_at"]
    cache.clear()  # as when the cache time has passed
    third = _roster(get_roster, token)
    assert len(nrps_calls) == 2 and third["counts"]["enrolled"] == 4


def test_a_platform_without_nrps_says_so_and_submissions_still_list(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    live_server: Any,
    nrps_calls: list[dict[str, str]],
) -> None:
    token = launch(moodle, "teacher", nrps=False)

    roster = _roster(get_roster, token)

    assert roster["available"] is False and roster["learners"] == []
    assert "does not share this course's class list" in roster["message"]
    assert nrps_calls == []
    submissions = requests.get(
        f"{live_server.url}/api/submissions",
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert submissions.status_code == 200


def test_a_later_launch_without_the_claim_keeps_the_service(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
) -> None:
    launch(moodle, "teacher")

    roster = _roster(get_roster, launch(moodle, "ta", nrps=False))

    assert roster["available"] is True and roster["counts"]["enrolled"] == 3


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (503, "did not answer"),
        (403, "refused to share"),
        (400, "could not be read"),
    ],
)
def test_a_failing_membership_service_is_reported_and_not_cached(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    status: int,
    words: str,
) -> None:
    token = launch(moodle, "teacher")
    moodle.nrps.outage(status)

    roster = _roster(get_roster, token)

    assert roster["available"] is False and words in roster["message"]
    moodle.nrps.restore()
    assert _roster(get_roster, token)["available"] is True


def test_the_teacher_page_has_the_roster_section(
    moodle: LmsPlatform,
    lms_session: requests.Session,
) -> None:
    page = moodle.launch(lms_session, "teacher")

    assert 'id="roster"' in page.text and 'id="roster-table"' in page.text
    assert 'id="submissions"' in page.text


def test_students_may_not_see_the_roster(
    moodle: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
    nrps_calls: list[dict[str, str]],
) -> None:
    response = get_roster(launch(moodle, "s1"))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert nrps_calls == []


def test_a_teacher_sees_only_their_own_course(
    moodle: LmsPlatform,
    canvas: LmsPlatform,
    launch: Callable[..., str],
    get_roster: Any,
) -> None:
    launch(moodle, "teacher")
    _submit(moodle, "s1", at=timezone.now())
    moodle.course = {"id": "course-2", "title": "Film 202", "label": "FILM202"}

    other_course = _roster(get_roster, launch(moodle, "teacher"))
    other_tenant = _roster(get_roster, launch(canvas, "teacher"))

    assert other_course["counts"]["submitted"] == 0 == other_course["counts"]["not_enrolled"]
    assert {row["submission_id"] for row in other_course["learners"]} == {None}
    canvas_subs = {p.sub for p in canvas.people.values()}
    assert set(_by_sub(other_tenant)) <= canvas_subs
    assert other_tenant["counts"] == {
        "enrolled": 3,
        "submitted": 0,
        "missing": 3,
        "late": 0,
        "not_enrolled": 0,
    }
    assert get_roster("not-a-launch-token").status_code == 401
