"""Reconciliation with the provider: what storage holds against what the database knows.

For one storage (a tenant's configuration, or the site's default) the provider's listing
is read page by page (S3 ListObjectsV2, Stream's video list, the local folders), never
all at once. Each page is matched against the rows in one query:

- an object no row knows (or whose row was purged) is an **orphan**: reported, and with
  `fix=True` deleted once it is older than the grace period (an upload that has just
  arrived may not be committed yet);
- every row matched is stamped `storage_seen_at`; afterwards, rows that should have an
  object (uploaded, processing, ready) and were not seen in this run are **missing**:
  marked `missing_since`, with an event row the first time, and reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lti_tool.models import StorageConfig, Submission, Tenant, VideoEvent
from lti_tool.services.events import event_record
from lti_tool.services.storage import backend_for_config, video_delete
from storage_backends.base import ObjectListing, StorageBackend, StoredObject

logger = logging.getLogger(__name__)
DEFAULT_GRACE = timedelta(hours=24)
SHOULD_EXIST = [Submission.State.UPLOADED, Submission.State.PROCESSING, Submission.State.READY]


@dataclass
class ReconcileReport:
    storage: str
    listed: int = 0
    orphans: int = 0
    orphans_deleted: int = 0
    missing: int = 0
    skipped: str = ""  # why this storage was not listed
    orphan_ids: list[str] = field(default_factory=list)  # the first ones, for the report
    missing_ids: list[int] = field(default_factory=list)


Notify = Callable[[str], None]
_REPORT_CAP = 100  # ids kept in the report; the rest are counted (and logged)


def storage_reconcile(
    *,
    config: StorageConfig | None,
    tenant_id: int | None = None,
    fix: bool = False,
    grace: timedelta = DEFAULT_GRACE,
    notify: Notify | None = None,
) -> ReconcileReport:
    """Reconcile one storage. `tenant_id` narrows the default storage to one tenant."""
    label = str(config) if config else "default storage"
    report = ReconcileReport(storage=label)
    backend = backend_for_config(config)
    if not isinstance(backend, ObjectListing):
        report.skipped = "this backend cannot list its objects"
        return report
    started = timezone.now()
    # Objects are matched against every row of this storage (a backend without a tenant
    # layout lists all tenants' videos); missing rows are looked for in the tenant's.
    all_rows = Submission.objects.filter(storage=config)
    for page in backend.list_objects(tenant_id=tenant_id if config is None else None):
        report.listed += len(page)
        for orphan in _match_page(all_rows, page, started):
            _orphan(report, backend, orphan, fix=fix, cutoff=started - grace, notify=notify)
    _mark_missing(report, _rows_of(config, tenant_id), started, grace, notify)
    logger.info(
        "reconcile %s: listed=%s orphans=%s deleted=%s missing=%s",
        label,
        report.listed,
        report.orphans,
        report.orphans_deleted,
        report.missing,
    )
    return report


def storages_to_reconcile(tenant: Tenant | None) -> list[tuple[StorageConfig | None, int | None]]:
    """(configuration, tenant filter) pairs: every configuration, and the site default
    (narrowed to the tenant when one is given)."""
    configs = StorageConfig.objects.order_by("pk")
    if tenant is not None:
        configs = configs.filter(tenant=tenant)
    return [*((config, None) for config in configs), (None, tenant.pk if tenant else None)]


def _rows_of(config: StorageConfig | None, tenant_id: int | None) -> QuerySet[Submission]:
    rows = Submission.objects.filter(storage=config)
    if tenant_id is not None:
        rows = rows.filter(assignment__course__tenant_id=tenant_id)
    return rows


def _match_page(
    rows: QuerySet[Submission], page: list[StoredObject], started: datetime
) -> list[StoredObject]:
    """Stamp the rows this page's objects belong to; return the objects no live row has."""
    ids = [item.video_id for item in page]
    matching = rows.filter(
        Q(video_id__in=ids) | Q(upload_ref__in=ids) | Q(upload_details__video_id__in=ids)
    ).filter(purged_at__isnull=True)
    known: set[str] = set()
    for video_id, upload_ref, details in matching.values_list(
        "video_id", "upload_ref", "upload_details"
    ):
        known.update({video_id, upload_ref, str((details or {}).get("video_id") or "")})
    matching.update(storage_seen_at=started, missing_since=None)
    return [item for item in page if item.video_id not in known]


def _orphan(
    report: ReconcileReport,
    backend: StorageBackend,
    item: StoredObject,
    *,
    fix: bool,
    cutoff: datetime,
    notify: Notify | None,
) -> None:
    report.orphans += 1
    if len(report.orphan_ids) < _REPORT_CAP:
        report.orphan_ids.append(item.video_id)
    old_enough = item.modified_at is not None and item.modified_at < cutoff
    action = "kept (within the grace period)"
    if fix and old_enough:
        cdn_copy_left = video_delete(backend, item.video_id)
        report.orphans_deleted += 1
        action = f"deleted (CDN copy left: {cdn_copy_left})" if cdn_copy_left else "deleted"
    elif not fix:
        action = "reported"
    if notify:
        notify(f"orphan {item.video_id} ({item.size_bytes} bytes): {action}")


def _mark_missing(
    report: ReconcileReport,
    rows: QuerySet[Submission],
    started: datetime,
    grace: timedelta,
    notify: Notify | None,
) -> None:
    unseen = rows.filter(state__in=SHOULD_EXIST, created_at__lt=started - grace).filter(
        Q(storage_seen_at__isnull=True) | Q(storage_seen_at__lt=started)
    )
    for chunk in _chunks(unseen.values_list("pk", flat=True).iterator(chunk_size=500)):
        with transaction.atomic():
            for submission in Submission.objects.select_for_update().filter(pk__in=chunk):
                report.missing += 1
                if len(report.missing_ids) < _REPORT_CAP:
                    report.missing_ids.append(submission.pk)
                if notify:
                    notify(f"missing: submission {submission.pk} ({submission.video_id})")
                if submission.missing_since is None:
                    submission.missing_since = started
                    submission.save(update_fields=["missing_since"])
                    event_record(
                        kind=VideoEvent.Kind.STORAGE_MISSING,
                        submission=submission,
                        user_id=None,
                        details={"video_id": submission.video_id},
                    )


def _chunks(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
