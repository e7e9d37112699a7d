"""The reads of the most frequent requests and tasks, a playback link, an upload ticket, a
purge and a verification, as SQL written out.

A playback link is asked for on every play (and again once it expires), a ticket on every
upload and retake, a purge for every video deleted or upload abandoned. Building their
three- and four-table queries with the ORM cost ~1 ms of CPU each, half of a playback
request's budget (bench/load.py), to fetch one row. The SQL below keeps the scopes of
`lti_tool.selectors.submissions` (`_visible`, `assignment_for_launch`; the scope tests in
tests/api cover both), runs on PostgreSQL and SQLite alike, and its rows become models as
the ORM makes them (`rows.model_from_row`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lti_tool.errors import NotFound, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Course, LtiUser, StorageConfig, Submission, Tenant, VideoAssignment
from lti_tool.selectors.rows import fetch_one, model_from_row

# The storage configuration's columns, last in each statement (`_storage` reads them).
_STORAGE = "st.id, st.backend, st.options, st.secrets_encrypted, st.updated_at"


@dataclass(frozen=True)
class PlaybackTarget:
    """What a playback link needs of a submission the viewer may see."""

    submission_id: int
    tenant_id: int
    state: str
    video_id: str
    storage: StorageConfig | None  # None: the site's default storage


_SELECT = (
    f"SELECT s.state, s.video_id, {_STORAGE}"  # noqa: S608 - constants
    " FROM lti_tool_submission s"
    " JOIN lti_tool_videoassignment a ON a.id = s.assignment_id"
    " JOIN lti_tool_course c ON c.id = a.course_id"
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
    return playback_target(claims, submission_id, fetch_one(*playback_query(claims, submission_id)))


def playback_query(claims: LaunchClaims, submission_id: int) -> tuple[str, list[Any]]:
    """The SELECT of `submission_to_play` and its parameters, for a statement that also
    writes (the playback's event row); its row goes to `playback_target`."""
    scope = (
        [claims.course_id] if claims.role == "teacher" else [claims.user_id, claims.assignment_id]
    )
    return _SQL[claims.role], [submission_id, claims.tenant_id, *scope]


def playback_target(
    claims: LaunchClaims, submission_id: int, row: Sequence[Any] | None
) -> PlaybackTarget:
    if row is None:
        raise SubmissionNotFound()
    return PlaybackTarget(
        submission_id=submission_id,
        tenant_id=claims.tenant_id,  # the statement's scope: the submission's tenant
        state=row[0],
        video_id=row[1],
        storage=_storage(row[2:7]),
    )


# A student's uploads to an assignment that never finished (parameters: the assignment, the
# student), for this read, the locked read that resumes one and the UPDATE that ends them
# (services/upload_resume.py, upload_endings.py). The state is in the text, not a parameter:
# a prepared statement's generic plan can then use the partial index `submission_unfinished`.
UNFINISHED_WHERE = (
    " WHERE assignment_id = %s AND student_id = %s AND NOT is_current"
    f" AND state = '{Submission.State.PENDING_UPLOAD.value}'"
)
_UNFINISHED = f"SELECT 1 FROM lti_tool_submission s{UNFINISHED_WHERE}"  # noqa: S608 - constants
_UPLOAD_SQL = (
    "SELECT a.id, a.course_id, a.max_size_bytes, a.allow_resubmission,"  # noqa: S608 - constants
    " c.tenant_id, t.limits, t.storage_id,"
    " (SELECT u.name FROM lti_tool_ltiuser u WHERE u.id = %s AND u.tenant_id = c.tenant_id),"
    f" EXISTS ({_UNFINISHED}),"
    f" EXISTS ({_UNFINISHED} AND s.filename = %s AND s.size_bytes = %s AND s.mime_type = %s),"
    " {new_id},"
    f" {_STORAGE}"
    " FROM lti_tool_videoassignment a"
    " JOIN lti_tool_course c ON c.id = a.course_id"
    " JOIN lti_tool_tenant t ON t.id = c.tenant_id"
    " LEFT JOIN lti_tool_storageconfig st ON st.id = t.storage_id"
    " WHERE a.id = %s AND a.course_id = %s AND c.tenant_id = %s"
)
_UPLOAD_SQL_RESERVING = _UPLOAD_SQL.format(
    new_id=f"nextval(pg_get_serial_sequence('{Submission._meta.db_table}', 'id'))"
)
_UPLOAD_SQL_PLAIN = _UPLOAD_SQL.format(new_id="NULL")


@dataclass(frozen=True)
class UploadTarget:
    """What an upload ticket needs: the assignment with its limits, its tenant's limits and
    storage; the student (id and name, for the answer); whether the student has unfinished
    uploads to it, and one of this very file (to resume); none is locked: a ticket locks
    them before resuming one. And, if asked for, an id reserved for the new row
    (PostgreSQL's sequence)."""

    assignment: VideoAssignment
    student: LtiUser
    unfinished_seen: bool
    same_file_seen: bool
    new_id: int | None


def assignment_for_upload(
    claims: LaunchClaims,
    *,
    file: tuple[str, int, str] | None = None,
    reserve_id: bool = False,
) -> UploadTarget:
    """`assignment_for_launch` for an upload ticket, with only what a ticket needs. `file`:
    the upload's (sanitized name, size, type), for `same_file_seen`."""
    mine = [claims.assignment_id, claims.user_id]
    row = fetch_one(
        _UPLOAD_SQL_RESERVING if reserve_id else _UPLOAD_SQL_PLAIN,
        [
            claims.user_id,
            *mine,
            *mine,
            *(file or (None, None, None)),  # nothing equals NULL: no file, no match
            claims.assignment_id,
            claims.course_id,
            claims.tenant_id,
        ],
    )
    if row is None:
        raise NotFound()  # the assignment was removed since the launch
    assignment_id, course_id, max_size, resubmit, tenant_id, limits, storage_id, name = row[:8]
    assignment = model_from_row(
        VideoAssignment,
        {
            "id": assignment_id,
            "course_id": course_id,
            "max_size_bytes": max_size,
            "allow_resubmission": resubmit,
        },
    )
    tenant = model_from_row(Tenant, {"id": tenant_id, "limits": limits, "storage_id": storage_id})
    tenant.storage = _storage(row[11:])
    assignment.course = model_from_row(Course, {"id": course_id, "tenant_id": tenant_id})
    assignment.course.tenant = tenant
    student = model_from_row(LtiUser, {"id": claims.user_id, "name": name or ""})
    return UploadTarget(
        assignment,
        student,
        unfinished_seen=bool(row[8]),
        same_file_seen=bool(row[9]),
        new_id=row[10],
    )


# What the tasks read a submission by its id with: its assignment, course and storage.
_ONE_SUBMISSION = (
    " FROM lti_tool_submission s"
    " JOIN lti_tool_videoassignment a ON a.id = s.assignment_id"
    " JOIN lti_tool_course c ON c.id = a.course_id"
    " LEFT JOIN lti_tool_storageconfig st ON st.id = s.storage_id"
    " WHERE s.id = %s"
)
_PURGE_SQL = (
    "SELECT s.state, s.purged_at, s.video_id, s.upload_ref, s.upload_details,"  # noqa: S608
    f" s.backend, s.storage_id, c.tenant_id, {_STORAGE}{_ONE_SUBMISSION}"
)
_PURGE_FIELDS = (
    "state",
    "purged_at",
    "video_id",
    "upload_ref",
    "upload_details",
    "backend",
    "storage_id",
)


def submission_to_purge(submission_id: int) -> tuple[Submission, int] | None:
    """A submission with what removing its bytes needs (its storage, what it uploaded),
    and its tenant's id (for the event); None if there is no such submission."""
    row = fetch_one(_PURGE_SQL, [submission_id])
    if row is None:
        return None
    fields = dict(zip(_PURGE_FIELDS, row[:7], strict=True))
    submission = model_from_row(Submission, {"id": submission_id, **fields})
    submission.storage = _storage(row[8:])
    return submission, row[7]


_VERIFY_SQL = (
    "SELECT s.state, s.video_id, s.is_current, s.backend, s.storage_id,"  # noqa: S608 - constants
    f" s.assignment_id, a.max_duration_seconds, a.course_id, c.tenant_id, {_STORAGE}"
    f"{_ONE_SUBMISSION}"
)


def submission_to_verify(submission_id: int) -> Submission | None:
    """A submission with what checking its upload needs: its state, video and storage, its
    assignment's duration limit and its course's tenant (for the event); None if there is
    no such submission."""
    row = fetch_one(_VERIFY_SQL, [submission_id])
    if row is None:
        return None
    state, video_id, is_current, backend, storage_id, assignment_id = row[:6]
    max_duration, course_id, tenant_id = row[6:9]
    submission = model_from_row(
        Submission,
        {
            "id": submission_id,
            "state": state,
            "video_id": video_id,
            "is_current": is_current,
            "backend": backend,
            "storage_id": storage_id,
            "assignment_id": assignment_id,
        },
    )
    submission.storage = _storage(row[9:])
    submission.assignment = model_from_row(
        VideoAssignment,
        {"id": assignment_id, "course_id": course_id, "max_duration_seconds": max_duration},
    )
    submission.assignment.course = model_from_row(Course, {"id": course_id, "tenant_id": tenant_id})
    return submission


def _storage(values: Sequence[Any]) -> StorageConfig | None:
    names = ("id", "backend", "options", "secrets_encrypted", "updated_at")
    if values[0] is None:
        return None
    return model_from_row(StorageConfig, dict(zip(names, values, strict=True)))
