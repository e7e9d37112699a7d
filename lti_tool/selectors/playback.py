"""The one read of a playback link, as SQL written out.

A playback link is the most frequent request after a page load (every play, every seek past
an expired link). Building this four-table query with the ORM cost ~1 ms of CPU per request,
half of the path's budget (bench/load.py), and only to fetch one row: the SQL below is the
same scope as `visible_submissions` (`lti_tool.selectors.submissions._visible`; the scope
tests in tests/api cover both), compiled once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _lazy

from lti_tool.errors import NotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import StorageConfig

_NOT_YOURS = _lazy("This submission does not exist or is not yours to see.")
_STORAGE_FIELDS = ("id", "backend", "options", "secrets_encrypted", "updated_at")


@dataclass(frozen=True)
class PlaybackTarget:
    """What a playback link needs of a submission the viewer may see."""

    submission_id: int
    tenant_id: int
    state: str
    video_id: str
    storage: StorageConfig | None  # None: the site's default storage
    tenant_limits: dict[str, Any]


_SELECT = (
    "SELECT s.state, s.video_id, c.tenant_id, t.limits::text,"
    " st.id, st.backend, st.options::text, st.secrets_encrypted, st.updated_at"
    " FROM lti_tool_submission s"
    " JOIN lti_tool_videoassignment a ON a.id = s.assignment_id"
    " JOIN lti_tool_course c ON c.id = a.course_id"
    " JOIN lti_tool_tenant t ON t.id = c.tenant_id"
    " LEFT JOIN lti_tool_storageconfig st ON st.id = s.storage_id"
    " WHERE s.id = %s AND c.tenant_id = %s AND "
)
# Teachers see their course's submissions; students their own, to the launched link (any of
# their videos: a link asked for while a re-upload became current still plays).
_SQL = {
    "teacher": _SELECT + "a.course_id = %s",
    "student": _SELECT + "s.student_id = %s AND s.assignment_id = %s",
}


def submission_to_play(claims: LaunchClaims, submission_id: int) -> PlaybackTarget:
    """404 for a submission the viewer may not see, as `submission_for_viewer`."""
    scope = (
        [claims.course_id] if claims.role == "teacher" else [claims.user_id, claims.assignment_id]
    )
    with connection.cursor() as cursor:
        cursor.execute(_SQL[claims.role], [submission_id, claims.tenant_id, *scope])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_NOT_YOURS)
    state, video_id, tenant_id, limits, *storage = row
    return PlaybackTarget(
        submission_id=submission_id,
        tenant_id=tenant_id,
        state=state,
        video_id=video_id,
        storage=_storage(storage),
        tenant_limits=json.loads(limits) if limits else {},
    )


def _storage(values: list[Any]) -> StorageConfig | None:
    if values[0] is None:
        return None
    values[2] = json.loads(values[2])  # options, read as text like Django's JSONField does
    return StorageConfig.from_db(connection.alias, _STORAGE_FIELDS, values)
