"""Retention: expiry counted from the latest of arrival, grading and due date, with a
controlled clock; the sweep deletes through the deletion path and keeps the grade."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from lti_tool.models import Grade, ScoreSend, Submission
from lti_tool.selectors.retention import expired_submissions
from lti_tool.services.retention import retention_sweep
from tests.deletion.conftest import Stored
from tests.factories import GradeFactory

pytestmark = pytest.mark.django_db


def test_expiry_starts_at_the_latest_of_arrival_grading_and_due_date(local_storage: Stored) -> None:
    now = timezone.now()
    ready = now - timedelta(days=100)
    plain = local_storage.submission(ready_at=ready)
    late_due = local_storage.submission(ready_at=ready, assignment__due_at=now - timedelta(days=20))
    regraded = local_storage.submission(ready_at=ready)
    GradeFactory(submission=regraded, graded_at=now - timedelta(days=10))

    assert list(expired_submissions(now=now).values_list("pk", flat=True)) == [plain.pk]
    # Ninety days after the due date, that one goes too; the regraded one ten days later.
    later = now + timedelta(days=71)
    assert set(expired_submissions(now=later).values_list("pk", flat=True)) == {
        plain.pk,
        late_due.pk,
    }
    assert expired_submissions(now=now + timedelta(days=81)).count() == 3


def test_a_tenant_that_keeps_videos_never_expires_them(local_storage: Stored) -> None:
    local_storage.tenant.retention_days = None
    local_storage.tenant.save()
    local_storage.submission(ready_at=timezone.now() - timedelta(days=3000))
    assert expired_submissions(now=timezone.now()).count() == 0


def test_the_sweep_purges_expired_videos_and_keeps_grades(
    local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    local_storage.tenant.retention_days = 30
    local_storage.tenant.save()
    old = local_storage.submission(
        ready_at=timezone.now() - timedelta(days=31), assignment__lineitem_url="https://lms/li"
    )
    GradeFactory(submission=old, score=90, graded_at=timezone.now() - timedelta(days=31))
    young = local_storage.submission(ready_at=timezone.now() - timedelta(days=29))

    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert f"would delete submission {old.pk}" in out.getvalue()
    assert "1 video(s) would delete" in out.getvalue()
    old.refresh_from_db()
    assert old.state == Submission.State.READY  # a dry run deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        result = retention_sweep()

    assert result.deleted == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.state, young.state) == (Submission.State.DELETED, Submission.State.READY)
    assert not local_storage.exists(old.video_id) and local_storage.exists(young.video_id)
    assert old.purged_at is not None
    assert Grade.objects.get(student=old.student).score == 90  # grades stay
    assert not ScoreSend.objects.filter(kind=ScoreSend.Kind.RESET).exists()
    assert "Retention: kept 30 days" in old.events.get(kind="deletion").details["reason"]
    assert retention_sweep().deleted == 0
