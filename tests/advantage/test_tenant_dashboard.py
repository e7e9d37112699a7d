"""The dashboard through an LTI launch: a platform administrator sees their own tenant's
figures and nobody else's; a teacher is refused."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from lti_tool.models import PlatformRegistration, VideoEvent
from tests.factories import SubmissionFactory, TenantFactory
from tests.lti_platform.lms import LmsPlatform

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
DASHBOARD = {"video_dashboard": "1"}


def figures(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, page[:500]
    return json.loads(match.group(1))


def views(tenant: Any, n: int) -> None:
    submission = SubmissionFactory(assignment__course__tenant=tenant, state="ready")
    for _ in range(n):
        VideoEvent.objects.create(tenant=tenant, submission=submission, kind="playback")


def test_a_platform_administrator_sees_only_their_tenant(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    mine = PlatformRegistration.objects.get().tenant
    views(mine, 3)
    views(TenantFactory(name="Someone Else"), 50)

    page = moodle.launch(lms_session, "teacher", custom=DASHBOARD, claim_overrides={ROLES: [ADMIN]})

    assert page.status_code == 200, page.text[:300]
    assert sum(figures(page.text)["daily"]["views"]) == 3
    assert "Someone Else" not in page.text
    token = re.search(r'name="t" value="([^"]+)"', page.text)
    assert token
    longer = lms_session.get(
        f"{live_server.url}/lti/dashboard/", params={"t": html.unescape(token[1]), "days": 365}
    )
    assert longer.status_code == 200
    assert "X-Frame-Options" not in longer.headers  # it stays in the platform's iframe
    assert len(figures(longer.text)["daily"]["labels"]) == 365
    forged = lms_session.get(f"{live_server.url}/lti/dashboard/", params={"t": "x", "days": 7})
    assert forged.status_code == 401 and "expired" in forged.text


def test_a_teacher_is_refused_the_dashboard(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    page = moodle.launch(lms_session, "teacher", custom=DASHBOARD)
    assert page.status_code == 403
    assert "administrators" in page.text


def test_a_platform_administrator_manages_their_tenants_videos(
    moodle: LmsPlatform, lms_session: Any, live_server: Any
) -> None:
    mine = PlatformRegistration.objects.get().tenant
    ada = SubmissionFactory(
        assignment__course__tenant=mine, state="ready", filename="ada-essay.mp4", size_bytes=10
    )
    bob = SubmissionFactory(
        assignment__course__tenant=mine, state="ready", filename="bob-essay.mp4", size_bytes=20
    )
    theirs = SubmissionFactory(
        assignment__course__tenant=TenantFactory(name="Someone Else"), filename="other.mp4"
    )
    page = moodle.launch(lms_session, "teacher", custom=DASHBOARD, claim_overrides={ROLES: [ADMIN]})
    link = re.search(r'href="(/lti/dashboard/videos/\?t=[^"]+)"', page.text)
    assert link, "the dashboard links to video management"
    listing = lms_session.get(live_server.url + html.unescape(link[1]))
    assert listing.status_code == 200
    assert "ada-essay.mp4" in listing.text and "bob-essay.mp4" in listing.text
    assert "other.mp4" not in listing.text  # another tenant's video
    token = re.search(r'name="t" value="([^"]+)"', listing.text)
    assert token
    t = html.unescape(token[1])
    searched = lms_session.get(
        f"{live_server.url}/lti/dashboard/videos/", params={"t": t, "q": "ada-"}
    )
    assert "ada-essay.mp4" in searched.text and "bob-essay.mp4" not in searched.text

    deleted = lms_session.post(
        f"{live_server.url}/lti/dashboard/videos/delete/",
        data={"t": t, "ids": [ada.pk, bob.pk, theirs.pk], "reason": "Course archived"},
        allow_redirects=False,
    )

    assert deleted.status_code == 303
    for row in (ada, bob, theirs):
        row.refresh_from_db()
    assert ada.state == bob.state == "deleted"
    assert ada.purged_at is not None
    assert theirs.state != "deleted"  # not theirs to delete, whatever the form says
    forged = lms_session.post(
        f"{live_server.url}/lti/dashboard/videos/delete/",
        data={"t": "forged", "ids": [theirs.pk], "reason": "x"},
    )
    assert forged.status_code == 401
