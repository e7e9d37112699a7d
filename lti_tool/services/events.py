"""The event log: one row per thing done to a video, plus one structured log line.

Call it inside the transaction of the change it records, so both land or neither does.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import connection
from django.utils import timezone

from lti_tool.models import Submission, VideoEvent

logger = logging.getLogger("lti_tool.events")

# One INSERT written out: the ORM's create() cost three times the CPU (model, signals,
# compiler) on the playback link, which records an event per request. The columns are
# VideoEvent's, without RETURNING: nothing reads the new row's id.
_INSERT = (
    "INSERT INTO lti_tool_videoevent"
    " (tenant_id, user_id, submission_id, kind, details, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s)"
)


def event_record(
    *,
    kind: VideoEvent.Kind,
    submission: Submission,
    user_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    event_insert(
        kind=kind,
        tenant_id=submission.assignment.course.tenant_id,
        submission_id=submission.pk,
        user_id=user_id,
        details=details,
    )


def event_insert(
    *,
    kind: VideoEvent.Kind,
    tenant_id: int,
    submission_id: int | None,
    user_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """`event_record` for a caller that has the ids, not the submission's rows."""
    details = details or {}
    now = connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM stores it
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT, [tenant_id, user_id, submission_id, kind.value, json.dumps(details), now]
        )
    logger.info(
        "video_event %s",
        json.dumps(
            {
                "kind": kind.value,
                "tenant": tenant_id,
                "user": user_id,
                "submission": submission_id,
                **details,
            },
            default=str,
        ),
    )
