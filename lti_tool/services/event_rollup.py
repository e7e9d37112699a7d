"""Per-day counts of the event log (`EventDayCount`), so the dashboard reads a few
thousand rows instead of grouping a million events on every view.

A day is counted once it is closed: an hour after it ends (a request that began before
midnight commits its event before then). Events are only ever written "now", so a closed
day never changes. The dashboard adds the open days (today, and yesterday in the first
hour) from the event log itself: an index range of a day's events. The rollup runs
from beat nightly and, if that has not run yet, from the dashboard itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from lti_tool.models import EventDayCount, EventRollup, Submission, VideoEvent

Kind = VideoEvent.Kind
COUNTED = [Kind.UPLOAD_SUCCEEDED, Kind.PLAYBACK, Kind.UPLOAD_FAILED]
CLOSE_AFTER = timedelta(hours=1)
FIELDS = ("tenant_id", "day", "kind", "storage_id", "reason")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def event_groups(events: QuerySet[VideoEvent], *, few: bool = False) -> QuerySet[Any]:
    """Counts (and uploaded bytes) per tenant, day, kind, storage and failure reason.
    `few`: a day or so of events, whose submissions are looked up one by one by primary
    key (a join would make PostgreSQL hash the whole submission table)."""
    if few:
        of_event = Submission.objects.filter(pk=OuterRef("submission_id"))
        storage: Any = Subquery(of_event.values("storage_id")[:1])
        size: Any = Subquery(of_event.values("size_bytes")[:1])
    else:
        storage, size = F("submission__storage_id"), F("submission__size_bytes")
    return (
        events.filter(kind__in=COUNTED)
        .annotate(
            day=TruncDate("created_at", tzinfo=UTC),
            storage_id=storage,
            reason=Case(
                When(
                    kind=Kind.UPLOAD_FAILED,
                    then=Coalesce(
                        KeyTextTransform("reason", "details"),
                        Value("unknown"),
                        output_field=CharField(),
                    ),
                ),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .values(*FIELDS)
        .annotate(
            count=Count("id"),
            bytes=Coalesce(
                Sum(
                    Case(
                        When(kind=Kind.UPLOAD_SUCCEEDED, then=size),
                        default=Value(0),
                        output_field=BigIntegerField(),
                    )
                ),
                Value(0),
                output_field=BigIntegerField(),
            ),
        )
        .order_by()
    )


def last_closed_day(now: datetime) -> date:
    return (now - CLOSE_AFTER).date() - timedelta(days=1)


def event_rollup_update(*, now: datetime | None = None) -> int:
    """Count every closed day not counted yet; returns the rows written."""
    closed = last_closed_day(now or timezone.now())
    EventRollup.objects.get_or_create(pk=1)
    with transaction.atomic():
        state = EventRollup.objects.select_for_update().get(pk=1)
        if state.complete_through is not None and state.complete_through >= closed:
            return 0
        events = VideoEvent.objects.filter(created_at__lt=day_start(closed + timedelta(days=1)))
        if state.complete_through is not None:
            events = events.filter(
                created_at__gte=day_start(state.complete_through + timedelta(days=1))
            )
        rows = [EventDayCount(**row) for row in event_groups(events).iterator(chunk_size=2000)]
        EventDayCount.objects.bulk_create(rows, batch_size=2000)
        state.complete_through = closed
        state.save(update_fields=["complete_through"])
    return len(rows)


def day_counts(*, tenant_id: int | None, since: date) -> list[dict[str, Any]]:
    """Rows of `FIELDS` + count and bytes from `since` to now: counted days from the
    rollup, the open ones from the event log."""
    state = EventRollup.objects.filter(pk=1).first()
    through = state.complete_through if state else None
    rows: list[dict[str, Any]] = []
    if through is not None and through >= since:
        rolled = EventDayCount.objects.filter(day__gte=since, day__lte=through)
        if tenant_id is not None:
            rolled = rolled.filter(tenant_id=tenant_id)
        rows.extend(rolled.values(*FIELDS, "count", "bytes"))
    live_from = max(since, through + timedelta(days=1)) if through else since
    live = VideoEvent.objects.filter(created_at__gte=day_start(live_from))
    if tenant_id is not None:
        live = live.filter(tenant_id=tenant_id)
    rows.extend(event_groups(live, few=through is not None))
    return rows
