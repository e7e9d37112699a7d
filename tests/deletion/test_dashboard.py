"""The administrator's dashboard: figures checked against the rows made here, one tenant's
view shows nothing of another's, and the aggregation runs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lti_tool.models import ScoreSend, Submission, VideoEvent
from lti_tool.services.dashboard import dashboard_figures
from tests.deletion.conftest import Stored
from tests.factories import ScoreSendFactory, SubmissionFactory, TenantFactory

pytestmark = pytest.mark.django_db
Kind = VideoEvent.Kind
GB = 1_000_000_000


def plant(stored: Stored, *, uploads: int, views: int, failures: int, size: int) -> None:
    """Rows as the tool writes them, spread over the last days."""
    now = timezone.now()
    for n in range(uploads):
        submission = stored.submission(video_id=f"t{stored.tenant.pk}-{n:032x}", size_bytes=size)
        when = now - timedelta(days=n % 3)
        Submission.objects.filter(pk=submission.pk).update(uploaded_at=when)
        event = VideoEvent.objects.create(
            tenant=stored.tenant, submission=submission, kind=Kind.UPLOAD_SUCCEEDED
        )
        VideoEvent.objects.filter(pk=event.pk).update(created_at=when)
    ready = Submission.objects.filter(assignment__course__tenant=stored.tenant).first()
    for _ in range(views):
        VideoEvent.objects.create(tenant=stored.tenant, submission=ready, kind=Kind.PLAYBACK)
    for n in range(failures):
        failed = SubmissionFactory(
            assignment=ready.assignment, state="failed", storage=stored.config
        )
        VideoEvent.objects.create(
            tenant=stored.tenant,
            submission=failed,
            kind=Kind.UPLOAD_FAILED,
            details={"reason": "too_long" if n % 2 else "ERR_NON_VIDEO"},
        )


def test_the_figures_match_the_rows_and_stay_in_their_tenant(
    local_storage: Stored, tmp_path: object
) -> None:
    plant(local_storage, uploads=6, views=4, failures=3, size=2 * GB)
    other_tenant = TenantFactory()
    other = Stored(
        "local",
        other_tenant,
        local_storage.config.__class__.objects.create(
            tenant=other_tenant,
            label="Other",
            backend="storage_backends.local.LocalBackend",
            options={"root": str(tmp_path)},
        ),
    )
    plant(other, uploads=2, views=9, failures=1, size=GB)
    ScoreSendFactory(
        submission=Submission.objects.filter(storage=local_storage.config).first(),
        state=ScoreSend.State.FAILED,
    )

    with CaptureQueriesContext(connection) as queries:
        figures = dashboard_figures(tenant_id=local_storage.tenant.pk, days=7)
    assert len(queries) <= 20  # aggregated in the database, not per row (incl. the rollup)

    daily = figures["daily"]
    assert len(daily["labels"]) == 7
    assert sum(daily["uploads"]) == 6 and sum(daily["views"]) == 4 and sum(daily["failures"]) == 3
    assert daily["uploads"][-3:] == [2, 2, 2]
    assert sum(daily["bytes"]) == 12 * GB
    (usage,) = figures["usage"]
    assert (usage.videos, usage.bytes, usage.views_30d) == (6, 12 * GB, 4)
    assert usage.monthly_cost == Decimal("0")  # the local disk has no provider bill
    assert figures["failures"] == [("ERR_NON_VIDEO", 2), ("too_long", 1)]
    assert figures["grade_sends"] == {"pending": 0, "failed": 1}

    everyone = dashboard_figures(tenant_id=None, days=7)
    assert sum(everyone["daily"]["views"]) == 13


def test_site_admins_see_the_dashboard_page_and_others_are_sent_to_log_in(
    local_storage: Stored,
) -> None:
    plant(local_storage, uploads=2, views=1, failures=1, size=GB)
    client = Client()
    assert client.get("/admin/dashboard/").status_code == 302  # the admin login
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    assert 'href="/admin/dashboard/"' in client.get("/admin/").content.decode()
    page = client.get(
        f"/admin/dashboard/?tenant={local_storage.tenant.pk}&days=90"
    ).content.decode()
    assert 'id="dashboard-data"' in page and "dashboard.js" in page
    assert "ERR_NON_VIDEO" in page
    assert "2.0\xa0GB" in page or "1.9\xa0GB" in page  # two 1 GB videos (filesizeformat)


def test_closed_days_are_counted_once_and_today_is_read_live(local_storage: Stored) -> None:
    from lti_tool.models import EventDayCount
    from lti_tool.services.event_rollup import day_counts, event_rollup_update

    submission = local_storage.submission()
    now = timezone.now()
    for days_ago, n in [(3, 4), (0, 2)]:
        for _ in range(n):
            event = VideoEvent.objects.create(
                tenant=local_storage.tenant, submission=submission, kind=Kind.PLAYBACK
            )
            VideoEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days_ago))

    assert event_rollup_update() == 1  # one (tenant, day, kind, storage) row: three days ago
    assert event_rollup_update() == 0  # nothing new is closed
    assert EventDayCount.objects.get().count == 4
    rows = day_counts(tenant_id=local_storage.tenant.pk, since=(now - timedelta(days=5)).date())
    assert sorted(row["count"] for row in rows) == [2, 4]


def test_the_queue_depth_is_read_from_the_redis_broker() -> None:
    import uuid

    import redis
    from celery import current_app
    from django.conf import settings

    from lti_tool.services.dashboard import queue_depth

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("the broker is not Redis here")
    conf = current_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "task_default_queue": conf.task_default_queue,
    }
    queue = f"h10-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.lpush(queue, "a", "b", "c")  # three task messages waiting
    try:
        conf.update(task_always_eager=False, task_default_queue=queue)
        assert queue_depth() == 3
        conf.update(task_always_eager=True)
        assert queue_depth() is None  # tasks run in the web process: nothing to measure
    finally:
        conf.update(**saved)
        client.delete(queue)
