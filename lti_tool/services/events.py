"""The event log: one row per thing done to a video, plus one structured log line.

Call it inside the transaction of the change it records, so both land or neither does.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from lti_tool.models import Submission, VideoEvent

logger = logging.getLogger("lti_tool.events")


def event_record(
    *,
    kind: VideoEvent.Kind,
    submission: Submission,
    user_id: int | None,
    details: dict[str, Any] | None = None,
) -> VideoEvent:
    event = VideoEvent.objects.create(
        tenant_id=submission.assignment.course.tenant_id,
        user_id=user_id,
        submission=submission,
        kind=kind,
        details=details or {},
    )
    logger.info(
        "video_event %s",
        json.dumps(
            {
                "kind": kind.value,
                "tenant": event.tenant_id,
                "user": user_id,
                "submission": submission.pk,
                **(details or {}),
            },
            default=str,
        ),
    )
    return event
