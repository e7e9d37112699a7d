"""The retention sweep: expired videos go through the one deletion path (grades stay).

Run daily by beat (`lti_tool.tasks.retention_sweep`) and by `manage.py retention`; when a
video expires is `lti_tool.selectors.retention`'s to say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import ngettext

from lti_tool.selectors.retention import expired_submissions
from lti_tool.services.deletion import Deleter, submission_delete

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass
class RetentionResult:
    deleted: int = 0
    listed: list[tuple[int, datetime, int]] = field(default_factory=list)  # id, expiry, days


def retention_sweep(
    *, now: datetime | None = None, dry_run: bool = False, tenant_id: int | None = None
) -> RetentionResult:
    """Delete (or, with `dry_run`, list) every video past its tenant's retention."""
    now = now or timezone.now()
    result = RetentionResult()
    rows = expired_submissions(now=now, tenant_id=tenant_id).values_list(
        "pk", "expires_at", "assignment__course__tenant__retention_days"
    )
    if dry_run:
        result.listed = list(rows)
        return result
    while batch := list(rows[:BATCH]):  # deleted rows leave the query: re-read from the top
        for pk, expires_at, days in batch:
            submission_delete(
                submission_id=pk,
                by=Deleter("retention"),
                reason=ngettext(
                    "Retention: kept %(days)d day", "Retention: kept %(days)d days", days
                )
                % {"days": days},
                reset_score=False,
            )
            result.listed.append((pk, expires_at, days))
            result.deleted += 1
    logger.info("retention sweep: %s videos deleted", result.deleted)
    return result
