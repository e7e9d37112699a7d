"""The administrator's dashboard in Chromium: the charts draw, the tables show the figures
of the rows made here, and the page logs no error. The screenshot is kept for a person to
look at (`DASHBOARD_SCREENSHOT`, default: the test's tmp folder)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from lti_tool.models import StorageConfig, Submission, VideoEvent
from tests.factories import SubmissionFactory, TenantFactory, VideoAssignmentFactory
from tests.fixtures.browser import BrowserProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Kind = VideoEvent.Kind
GB = 1_000_000_000


def planted_tenant() -> Any:
    tenant = TenantFactory(name="Example University")
    config = StorageConfig.objects.create(
        tenant=tenant, label="Course videos", backend="storage_backends.local.LocalBackend"
    )
    assignment = VideoAssignmentFactory(course__tenant=tenant, course__title="Biology 101")
    now = timezone.now()
    for n in range(12):
        when = now - timedelta(days=n % 6)
        submission = SubmissionFactory(
            assignment=assignment,
            state="ready",
            storage=config,
            size_bytes=GB // 4,
            uploaded_at=when,
        )
        for kind in [Kind.UPLOAD_SUCCEEDED] + [Kind.PLAYBACK] * (n % 4):
            event = VideoEvent.objects.create(tenant=tenant, submission=submission, kind=kind)
            VideoEvent.objects.filter(pk=event.pk).update(created_at=when)
    failed = SubmissionFactory(assignment=assignment, state="failed", storage=config)
    for reason in ["too_long", "too_long", "not_a_video"]:
        VideoEvent.objects.create(
            tenant=tenant, submission=failed, kind=Kind.UPLOAD_FAILED, details={"reason": reason}
        )
    return tenant


def test_the_dashboard_draws_its_charts(
    page: Any, live_server: Any, browser_problems: BrowserProblems, tmp_path: Path
) -> None:
    tenant = planted_tenant()
    User.objects.create_superuser("root", "root@example.org", "pw")  # noqa: S106
    page.goto(f"{live_server.url}/admin/login/?next=/admin/dashboard/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/dashboard/?tenant={tenant.pk}&days=7")

    for series in ["uploads", "views", "failures", "bytes"]:
        drawn = page.evaluate(
            """(id) => { const c = document.getElementById(id);
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let coloured = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) coloured++;
                 return coloured; }""",
            f"chart-{series}",
        )
        assert drawn > 500, series  # axes, bars or line: the chart was drawn
    usage = page.inner_text("#usage tbody")
    assert usage.split("\t")[:3] == ["Course videos", "Local disk (this server)", "12"]
    assert page.get_attribute("#usage td[data-bytes]", "data-bytes") == str(3 * GB)
    assert usage.split("\t")[4] == "18"  # views: 0+1+2+3, three times
    assert page.inner_text("#failures tbody").splitlines()[0].split("\t") == ["too_long", "2"]
    assert Submission.objects.count() == 13
    shot = Path(os.environ.get("DASHBOARD_SCREENSHOT", tmp_path / "dashboard.png"))
    page.screenshot(path=str(shot), full_page=True)
    browser_problems.assert_none()
