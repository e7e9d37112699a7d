"""The reads of the most frequent requests and tasks, a playback link, an upload ticket and
a purge, as SQL written out.

A playback link is asked for on every play (and again once it expires), a ticket on every
upload and retake, a purge for every video deleted or upload abandoned. Building their
three- and four-table queries with the ORM cost ~1 ms of CPU each, half of a playback
request's budget (bench/load.py), to fetch one row. The SQL below keeps
the scopes of `lti_tool.selectors.submissions` (`_visible`, `assignment_for_launch`; the
scope tests in tests/api cover both) and the rows become models with `Model.from_db`, as
the ORM would make them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.utils.translation import gettext_lazy as _lazy

from lti_tool.errors import NotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Course, LtiUser, StorageConfig, Submission, Tenant, VideoAssignment

M = TypeVar("M", bound=models.Model)
_NOT_YOURS = _lazy("This submission does not exist or is not yours to see.")


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
    config_id, backend, options, secrets, updated_at = values
    if config_id is None:
        return None
    return _from_db(
        StorageConfig,
        id=config_id,
        backend=backend,
        options=json.loads(options),  # read as text, as Django's JSONField reads it
        secrets_encrypted=secrets,
        updated_at=updated_at,
    )


_UPLOAD_SQL = (
    "SELECT a.id, a.course_id, a.max_size_bytes, a.allow_resubmission,"
    " c.tenant_id, t.limits::text, t.storage_id,"
    " (SELECT u.name FROM lti_tool_ltiuser u WHERE u.id = %s AND u.tenant_id = c.tenant_id),"
    " st.id, st.backend, st.options::text, st.secrets_encrypted, st.updated_at"
    " FROM lti_tool_videoassignment a"
    " JOIN lti_tool_course c ON c.id = a.course_id"
    " JOIN lti_tool_tenant t ON t.id = c.tenant_id"
    " LEFT JOIN lti_tool_storageconfig st ON st.id = t.storage_id"
    " WHERE a.id = %s AND a.course_id = %s AND c.tenant_id = %s"
)


def assignment_for_upload(claims: LaunchClaims) -> tuple[VideoAssignment, LtiUser]:
    """`assignment_for_launch` for an upload ticket, with only what a ticket needs: the
    assignment's limits, its tenant's limits and storage; and the student (id and name,
    for the answer)."""
    params = [claims.user_id, claims.assignment_id, claims.course_id, claims.tenant_id]
    with connection.cursor() as cursor:
        cursor.execute(_UPLOAD_SQL, params)
        row = cursor.fetchone()
    if row is None:
        raise NotFound()  # the assignment was removed since the launch
    assignment_id, course_id, max_size, resubmit, tenant_id, limits, storage_id, name = row[:8]
    assignment = _from_db(
        VideoAssignment,
        id=assignment_id,
        course_id=course_id,
        max_size_bytes=max_size,
        allow_resubmission=resubmit,
    )
    tenant = _from_db(Tenant, id=tenant_id, limits=json.loads(limits), storage_id=storage_id)
    tenant.storage = _storage(list(row[8:]))
    assignment.course = _from_db(Course, id=course_id, tenant_id=tenant_id)
    assignment.course.tenant = tenant
    student = _from_db(LtiUser, id=claims.user_id, name=name or "")
    return assignment, student


def _from_db(model: type[M], **values: Any) -> M:
    """The model as the ORM loads it with `.only(*values)` (`Model.from_db` takes the
    values in the model's field order)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


_PURGE_SQL = (
    "SELECT s.state, s.purged_at, s.video_id, s.upload_ref, s.upload_details::text,"
    " s.backend, s.storage_id, c.tenant_id,"
    " st.id, st.backend, st.options::text, st.secrets_encrypted, st.updated_at"
    " FROM lti_tool_submission s"
    " JOIN lti_tool_videoassignment a ON a.id = s.assignment_id"
    " JOIN lti_tool_course c ON c.id = a.course_id"
    " LEFT JOIN lti_tool_storageconfig st ON st.id = s.storage_id"
    " WHERE s.id = %s"
)


def submission_to_purge(submission_id: int) -> tuple[Submission, int] | None:
    """A submission with what removing its bytes needs (its storage, what it uploaded),
    and its tenant's id (for the event); None if there is no such submission."""
    with connection.cursor() as cursor:
        cursor.execute(_PURGE_SQL, [submission_id])
        row = cursor.fetchone()
    if row is None:
        return None
    state, purged_at, video_id, upload_ref, details, backend, storage_id, tenant_id = row[:8]
    submission = _from_db(
        Submission,
        id=submission_id,
        state=state,
        purged_at=purged_at,
        video_id=video_id,
        upload_ref=upload_ref,
        upload_details=json.loads(details),
        backend=backend,
        storage_id=storage_id,
    )
    submission.storage = _storage(list(row[8:]))
    return submission, tenant_id
