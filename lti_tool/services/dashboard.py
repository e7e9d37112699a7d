"""The administrator's dashboard (read-only; a service because it asks each backend for
its cost estimate), scoped to one tenant or, for site administrators, all.

Event figures come from per-day counts (lti_tool/services/event_rollup.py), stored bytes
from one GROUP BY over the submissions: nothing is computed per row in Python. Costs are
each backend's own estimate (`StorageBackend.estimate_cost`) of the stored bytes and the
last 30 days' views; "what if" asks every configured backend the same.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lti_tool.models import ScoreSend, StorageConfig, Submission, VideoEvent
from lti_tool.services.event_rollup import day_counts, event_rollup_update
from lti_tool.services.storage import backend_for_config

PERIODS = (7, 30, 90, 365)
Kind = VideoEvent.Kind
DAILY_KINDS = {
    "uploads": Kind.UPLOAD_SUCCEEDED,
    "views": Kind.PLAYBACK,
    "failures": Kind.UPLOAD_FAILED,
}
# Bytes still in storage: not deleted, or deleted and not purged yet.
STORED = Q(size_bytes__isnull=False) & (
    ~Q(state=Submission.State.DELETED) | Q(purged_at__isnull=True)
)


@dataclass(frozen=True)
class BackendUsage:
    label: str
    backend: str
    videos: int
    bytes: int
    views_30d: int
    monthly_cost: Decimal


def _submissions(tenant_id: int | None) -> QuerySet[Submission]:
    rows = Submission.objects.all()
    return rows if tenant_id is None else rows.filter(assignment__course__tenant_id=tenant_id)


def daily_series(rows: list[dict[str, Any]], *, days: int) -> dict[str, Any]:
    """Per day for the last `days`: uploads, views, failures and the uploads' bytes.
    Days without any are zeros."""
    today = timezone.now().date()
    labels = [today - timedelta(days=days - 1 - n) for n in range(days)]
    series: dict[str, dict[date, int]] = {
        name: defaultdict(int) for name in [*DAILY_KINDS, "bytes"]
    }
    by_kind = {kind: name for name, kind in DAILY_KINDS.items()}
    for row in rows:
        series[by_kind[row["kind"]]][row["day"]] += row["count"]
        series["bytes"][row["day"]] += row["bytes"] or 0
    return {
        "labels": [day.isoformat() for day in labels],
        **{name: [values.get(day, 0) for day in labels] for name, values in series.items()},
    }


def usage_by_backend(
    *, tenant_id: int | None, rows_30d: list[dict[str, Any]]
) -> list[BackendUsage]:
    """Stored bytes and videos per storage configuration (live), 30-day views (from the
    day counts), and the backend's cost estimate for them."""
    stored = {
        row["storage_id"]: row
        for row in _submissions(tenant_id)
        .filter(STORED)
        .values("storage_id")
        .annotate(videos=Count("id"), total=Sum("size_bytes"))
        .order_by()
    }
    views: dict[int | None, int] = defaultdict(int)
    for row in rows_30d:
        if row["kind"] == Kind.PLAYBACK:
            views[row["storage_id"]] += row["count"]
    configs = StorageConfig.objects.in_bulk([pk for pk in {*stored, *views} if pk is not None])
    usage = []
    for storage_id in sorted({*stored, *views}, key=lambda pk: pk or 0):
        config = configs.get(storage_id) if storage_id is not None else None
        backend = backend_for_config(config)
        row = stored.get(storage_id, {})
        total, seen = int(row.get("total") or 0), int(views.get(storage_id, 0))
        usage.append(
            BackendUsage(
                label=str(config.label) if config else _("Default storage"),
                backend=backend.label or backend.name,
                videos=int(row.get("videos") or 0),
                bytes=total,
                views_30d=seen,
                monthly_cost=backend.estimate_cost(total, seen),
            )
        )
    return usage


def what_if(*, tenant_id: int | None, usage: list[BackendUsage]) -> list[tuple[str, Decimal]]:
    """The same total usage priced on every configured backend (one row per kind)."""
    total_bytes = sum(item.bytes for item in usage)
    total_views = sum(item.views_30d for item in usage)
    configs = StorageConfig.objects.order_by("pk")
    if tenant_id is not None:
        configs = configs.filter(tenant_id=tenant_id)
    priced: dict[str, Decimal] = {}
    for config in [None, *configs]:
        backend = backend_for_config(config)
        name = backend.label or backend.name
        if name not in priced:
            priced[name] = backend.estimate_cost(total_bytes, total_views)
    return sorted(priced.items(), key=lambda item: item[1])


def top_failure_reasons(rows: list[dict[str, Any]], limit: int = 10) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for row in rows:
        if row["kind"] == Kind.UPLOAD_FAILED:
            counts[row["reason"] or "unknown"] += row["count"]
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def grade_sends(*, tenant_id: int | None) -> dict[str, int]:
    rows = ScoreSend.objects.filter(state__in=[ScoreSend.State.PENDING, ScoreSend.State.FAILED])
    if tenant_id is not None:
        rows = rows.filter(assignment__course__tenant_id=tenant_id)
    counts = dict(rows.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return {"pending": counts.get("pending", 0), "failed": counts.get("failed", 0)}


def dashboard_figures(*, tenant_id: int | None, days: int) -> dict[str, Any]:
    event_rollup_update()  # closed days not counted yet (beat normally did it at night)
    today = timezone.now().date()
    rows = day_counts(tenant_id=tenant_id, since=today - timedelta(days=max(days, 30) - 1))
    in_period = [row for row in rows if row["day"] > today - timedelta(days=days)]
    last_30 = [row for row in rows if row["day"] > today - timedelta(days=30)]
    usage = usage_by_backend(tenant_id=tenant_id, rows_30d=last_30)
    return {
        "days": days,
        "daily": daily_series(in_period, days=days),
        "usage": usage,
        "what_if": what_if(tenant_id=tenant_id, usage=usage),
        "failures": top_failure_reasons(in_period),
        "grade_sends": grade_sends(tenant_id=tenant_id),
        "queue_depth": queue_depth(),
    }


def queue_depth() -> int | None:
    """Tasks waiting in the worker queue (Redis broker); None where it cannot be read
    (eager mode, another broker)."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        return None
    try:
        with current_app.connection_for_read() as connection:
            client = getattr(connection.default_channel, "client", None)
            if client is None:
                return None
            return int(client.llen(current_app.conf.task_default_queue or "celery"))
    except OSError:
        return None
