"""Reconciliation on each backend: planted orphans and missing objects are found; --fix
deletes only orphans older than the grace period; listings are read page by page."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from lti_tool.models import Submission, VideoEvent
from lti_tool.services.reconcile import storage_reconcile
from storage_backends.base import ObjectListing
from tests.deletion.conftest import Stored

pytestmark = pytest.mark.django_db


def age(storage: Stored, video_id: str, days: float) -> None:
    """Make a stored object look `days` old, as each provider reports it."""
    stamp = time.time() - days * 86400
    if storage.stream is not None:
        video = storage.stream.videos[video_id]
        video.created = datetime.fromtimestamp(stamp, tz=UTC).isoformat().replace("+00:00", "Z")
    elif storage.s3 is None:
        backend: Any = storage.backend
        folder = backend.files.video_dir(video_id)
        os.utime(folder / "data", (stamp, stamp))


def test_orphans_and_missing_objects_are_found_and_only_old_orphans_fixed(storage: Stored) -> None:
    kept = storage.submission()
    gone = storage.submission()  # its object is removed behind the tool's back
    storage.backend.delete_video(gone.video_id)
    Submission.objects.filter(pk__in=[kept.pk, gone.pk]).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    young_orphan = storage.put()
    old_orphan = storage.put()
    if storage.s3 is not None:
        grace = timedelta(0)  # moto stamps objects now: every orphan is past a zero grace
    else:
        grace = timedelta(hours=24)
        age(storage, old_orphan, days=2)

    report = storage_reconcile(config=storage.config, fix=False, grace=grace)
    assert report.listed == 3
    assert set(report.orphan_ids) == {young_orphan, old_orphan}
    assert report.missing_ids == [gone.pk] and report.orphans_deleted == 0
    gone.refresh_from_db()
    assert gone.missing_since is not None
    assert gone.events.filter(kind=VideoEvent.Kind.STORAGE_MISSING).count() == 1
    assert storage.exists(old_orphan)  # reported, not deleted, without --fix

    if storage.s3 is not None:
        report = storage_reconcile(config=storage.config, fix=True, grace=timedelta(hours=1))
        assert report.orphans_deleted == 0  # both are younger than an hour
        report = storage_reconcile(config=storage.config, fix=True, grace=grace)
        assert report.orphans_deleted == 2
        assert not storage.exists(old_orphan) and not storage.exists(young_orphan)
    else:
        report = storage_reconcile(config=storage.config, fix=True, grace=grace)
        assert report.orphans_deleted == 1
        assert not storage.exists(old_orphan) and storage.exists(young_orphan)
    assert storage.exists(kept.video_id)
    assert gone.events.filter(kind=VideoEvent.Kind.STORAGE_MISSING).count() == 1  # once


def test_a_cdn_refusing_to_invalidate_does_not_stop_the_fix(s3_storage: Stored) -> None:
    """An orphan deleted from S3 whose CloudFront copy the CDN refuses to drop (a wrong
    distribution id): the orphan counts as deleted and the run goes on to the next ones and
    to the missing objects, instead of ending at the first."""
    config = s3_storage.config
    config.options = {**config.options, "cloudfront_distribution_id": "EWRONGDISTRIBUTION"}
    config.save()
    gone = s3_storage.submission()
    assert s3_storage.s3 is not None
    s3_storage.s3.client("s3").delete_object(Bucket=s3_storage.bucket, Key=gone.video_id)
    Submission.objects.filter(pk=gone.pk).update(created_at=timezone.now() - timedelta(days=3))
    orphans = [s3_storage.put(), s3_storage.put()]
    lines: list[str] = []

    report = storage_reconcile(config=config, fix=True, grace=timedelta(0), notify=lines.append)

    assert report.orphans_deleted == 2
    assert not any(s3_storage.exists(orphan) for orphan in orphans)
    assert report.missing_ids == [gone.pk]
    deleted = [line for line in lines if line.startswith("orphan")]
    assert len(deleted) == 2 and all("deleted (CDN copy left: " in line for line in deleted)


def test_listings_come_in_pages(storage: Stored, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage_backends.local.backend as local_module
    import storage_backends.s3.backend as s3_module

    monkeypatch.setattr(local_module, "LIST_PAGE_SIZE", 2)
    monkeypatch.setattr(s3_module, "LIST_PAGE_SIZE", 2)
    if storage.stream is not None:
        storage.stream.list_limit = 2
    planted = {storage.put() for _ in range(5)}
    backend = storage.backend
    assert isinstance(backend, ObjectListing)
    pages = list(backend.list_objects())
    assert len(pages) >= 3 and max(len(page) for page in pages) <= 2
    listed = [item.video_id for page in pages for item in page]
    assert sorted(listed) == sorted(planted)  # each once, none missed


def test_the_command_reports_per_storage_and_a_tenant_sees_only_its_own(
    local_storage: Stored,
) -> None:
    orphan = local_storage.put()
    out = StringIO()
    call_command("reconcile_storage", "--tenant", str(local_storage.tenant.pk), stdout=out)
    assert f"orphan {orphan}" in out.getvalue()
    assert "1 orphan(s), 0 deleted, 0 missing" in out.getvalue()
