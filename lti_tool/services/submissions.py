"""A submission's life: ticket -> direct upload -> confirm -> verified -> ready, or replaced.

A replacement becomes the current submission only once it is ready, so the video the
teacher can already see is never lost to a failed re-upload; the ready video it replaces
stays as an earlier version the teacher can play, until a deletion path removes it.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lti_tool import jobs
from lti_tool.errors import AppError, PermissionDenied, TooManyRequests
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission, VideoAssignment, VideoEvent
from lti_tool.selectors.hot_paths import UploadTarget, assignment_for_upload
from lti_tool.selectors.submissions import submission_for_viewer
from lti_tool.selectors.tenant_limits import tenant_limits
from lti_tool.services.events import (
    Event,
    event_insert_if_claimed,
    event_record,
    event_withdraw,
    events_logged,
)
from lti_tool.services.playback_rows import playback_rows_write
from lti_tool.services.score_sends import score_submitted_record
from lti_tool.services.storage import (
    backend_for_config,
    backend_for_submission,
    backend_for_tenant,
)
from lti_tool.services.ticket_rows import ticket_rows_write, ticket_rows_write_ending_unfinished
from lti_tool.services.upload_resume import (
    ticket_remember,
    unfinished_uploads,
    upload_resumable,
)
from lti_tool.services.uploads import storage_error, upload_ticket_finish
from lti_tool.services.writes import now_as_stored, row_update, writes_in_one_statement
from storage_backends.base import (
    Playback,
    StorageBackend,
    UploadContext,
    UploadRejected,
    UploadTicket,
    VideoMetadata,
    Viewer,
)
from storage_backends.errors import ProviderError
from storage_backends.rate_limit import Counting, RateLimited, Window, rate_counting
from storage_backends.retry import backoff_seconds
from storage_backends.validation import normalized_mime, sanitize_filename, validate_upload

State = Submission.State
Kind = VideoEvent.Kind
_DURATION_TOLERANCE = 0.5  # seconds: containers round durations
WAITING = Submission.WAITING
# Storage is asked again with capped backoff for as long as the upload is kept: an outage
# of hours only delays verification. A check that was enqueued but did not run within the
# lease (a broker outage, a crashed worker) is enqueued again by the sweep.
VERIFY_BACKOFF_BASE = 5.0
VERIFY_BACKOFF_CAP = 600.0
VERIFY_LEASE = timedelta(seconds=90)
_BIGINT_END = 2**63  # sizes are stored in a BigIntegerField


def submission_start_upload(
    *, claims: LaunchClaims, filename: str, size: int, mime: str
) -> tuple[Submission, UploadTicket]:
    if claims.role != "student":
        raise PermissionDenied(_("Only students submit videos."))
    one_statement = writes_in_one_statement()
    mime = normalized_mime(mime)
    target = _upload_target(claims, filename, size, mime, reserve_id=one_statement)
    assignment, tenant = target.assignment, target.assignment.course.tenant
    backend = backend_for_tenant(tenant)
    safe_name = _safe_name(assignment, filename, size, mime)
    submission = Submission(
        assignment=assignment,
        student=target.student,
        backend=backend.name,
        storage=tenant.storage,
        filename=safe_name,
        mime_type=mime,
        size_bytes=size,
    )
    requested = Event(
        Kind.UPLOAD_REQUESTED, tenant.pk, None, claims.user_id, {"size": size, "mime": mime}
    )
    # A ticket signed here (no provider call) is made first, for the id the read reserved:
    # the row is then written once, with it. One the provider makes waits for the row.
    made: UploadTicket | ProviderError | None = None
    if target.new_id is not None and not backend.ticket_asks_provider(size):
        submission.pk = target.new_id
        made = _ticket(backend, submission, assignment, filename, size, mime)
        if isinstance(made, ProviderError):
            submission.pk = None  # the row is written as usual, then failed with the reason
    resumed = _write_or_resume(
        target, submission, requested, file=(safe_name, size, mime), one_statement=one_statement
    )
    if resumed is not None:
        return resumed
    if isinstance(made, UploadTicket):
        return submission, made  # saved with the row
    if made is None:
        # Committed: the provider round trip (e.g. S3 CreateMultipartUpload) holds no lock.
        made = _ticket(backend, submission, assignment, filename, size, mime)
    if isinstance(made, ProviderError):
        _ticket_failed(submission.pk, made)  # the row says why; the student is told now
        if isinstance(made, UploadRejected):
            raise AppError(made.code, made.message) from made
        raise storage_error(made) from made
    row_update(submission, ["upload_ref", "upload_details", "updated_at"])  # one UPDATE
    return submission, made


def _upload_target(
    claims: LaunchClaims, filename: str, size: int, mime: str, *, reserve_id: bool
) -> UploadTarget:
    """The assignment and tenant the ticket is for, once the student may have one: not
    closed to resubmission, within the rate limits. Counted while the assignment is read
    (the tenant's limits come with it), so a ticket refused as 404 or 403 counts too, as a
    refused playback link does."""
    with _rate_counting(claims, _UPLOAD_LIMITS) as counted:
        target = assignment_for_upload(
            claims, file=_resumable_as(filename, size, mime), reserve_id=reserve_id
        )
        _refuse_resubmission_if_closed(claims, target.assignment)
        _check_rate(counted, target.assignment.course.tenant.limits, _UPLOAD_LIMITS)
    return target


def _safe_name(assignment: VideoAssignment, filename: str, size: int, mime: str) -> str:
    """The file's name as stored. Checked before any row is written (the backend checks
    again): a size or name the database cannot store must be a 400 for the student, not a
    crash."""
    try:
        return validate_upload(
            filename=filename, size=size, mime=mime, max_size_bytes=_max_upload_bytes(assignment)
        )
    except UploadRejected as exc:
        raise AppError(exc.code, exc.message) from exc


def _write_or_resume(
    target: UploadTarget,
    submission: Submission,
    requested: Event,
    *,
    file: tuple[str, int, str],
    one_statement: bool,
) -> tuple[Submission, UploadTicket] | None:
    """Write the new upload's row, ending the student's unfinished ones; or, if one of
    them is this very `file` (name as stored, size, type), hand it back to resume (then
    nothing new is written)."""
    if not target.unfinished_seen:
        # Nothing to resume or end (a first ticket, the common case): no row to lock, as a
        # locked read would have found none. An upload another tab starts meanwhile is
        # ended by the next ticket, as when two tabs' locked reads both found nothing.
        ticket_rows_write(submission, requested=requested, replacing=[])
        return None
    if one_statement and not target.same_file_seen:
        # Another file replaces the unfinished uploads: ended by the row's own statement,
        # whichever are unfinished then (nothing to resume, so nothing to lock first).
        ticket_rows_write_ending_unfinished(submission, requested=requested)
        return None
    with transaction.atomic():
        unfinished = unfinished_uploads(
            assignment_id=submission.assignment_id, student_id=submission.student_id
        )
        filename, size, mime = file
        resumed = upload_resumable(unfinished, filename=filename, size=size, mime=mime)
        if resumed is not None:
            resumed[0].student = target.student  # the answer names the student: no query
            return resumed
        # A new upload supersedes those that never finished.
        ticket_rows_write(submission, requested=requested, replacing=unfinished)
    return None


def _resumable_as(filename: str, size: int, mime: str) -> tuple[str, int, str] | None:
    """How an unfinished upload of this file is stored (its name as the ticket will keep
    it), to find it; None for a file that will be refused anyway (validation says why):
    a name left empty, or a size no column holds (a query must not fail on it first)."""
    if not 0 < size < _BIGINT_END:
        return None
    try:
        return sanitize_filename(filename), size, mime
    except UploadRejected:
        return None


def _ticket(
    backend: StorageBackend,
    submission: Submission,
    assignment: VideoAssignment,
    filename: str,
    size: int,
    mime: str,
) -> UploadTicket | ProviderError:
    """The backend's ticket for `submission` (its id set), kept on the row (not yet
    saved); or why the provider gave none."""
    try:
        ticket = backend.create_upload(
            _upload_context(submission, assignment), filename, size, mime
        )
    except ProviderError as exc:
        return exc
    submission.upload_ref = ticket.upload_ref
    ticket = upload_ticket_finish(submission=submission, backend=backend, ticket=ticket)
    ticket_remember(submission, ticket)
    return ticket


def _ticket_failed(submission_id: int, exc: ProviderError) -> None:
    """The provider gave no ticket: the row says why (the student is told at once)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.state == State.PENDING_UPLOAD:
            _fail(submission, exc.message, {"reason": exc.code, "operation": "create_upload"})


def submission_confirm_upload(*, claims: LaunchClaims, submission_id: int) -> Submission:
    submission = submission_for_viewer(claims, submission_id)
    if submission.student_id != claims.user_id:
        raise PermissionDenied(_("Only the student who uploaded a video can confirm it."))
    if submission.state in WAITING:
        # Confirmed before; its check may have been lost to a broker outage: ask again now
        # (the check is idempotent).
        jobs.enqueue_on_commit(jobs.VERIFY_SUBMISSION, submission.pk)
        return submission
    if submission.state != State.PENDING_UPLOAD:
        return submission  # confirmed before: confirming again changes nothing
    expected = {
        "size": submission.size_bytes,
        "mime": submission.mime_type,
        "video_id": submission.upload_details.get("video_id"),
    }
    try:
        video_id = backend_for_submission(submission).confirm_upload(
            submission.upload_ref, expected
        )
    except ProviderError as exc:
        # Permanent: the upload is not (all) there; the student uploads again. Transient:
        # the provider is unavailable; confirming again later works (503).
        raise (
            AppError(exc.code, exc.message, status=409) if exc.permanent else storage_error(exc)
        ) from exc
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.state != State.PENDING_UPLOAD:
            # A second confirm (a double click) got here first while we asked storage:
            # do not set a ready video back to "uploaded" or log the upload twice.
            return submission
        has_current = Submission.objects.filter(
            assignment_id=submission.assignment_id,
            student_id=submission.student_id,
            is_current=True,
        ).exists()
        submission.video_id = video_id
        submission.state = State.UPLOADED
        submission.uploaded_at = timezone.now()
        submission.is_current = submission.is_current or not has_current
        submission.save()
        event_record(kind=Kind.UPLOAD_SUCCEEDED, submission=submission, user_id=claims.user_id)
        jobs.enqueue_on_commit(jobs.VERIFY_SUBMISSION, submission.pk)
        score_submitted_record(submission=submission)  # the gradebook: awaits grading
    return submission


# What a verification that ends ready changes (saved alone: the row has some 30 columns).
_VERIFIED_FIELDS = (
    "state",
    "ready_at",
    "size_bytes",
    "duration_seconds",
    "is_current",
    "storage_waiting_since",
    "verify_next_at",
)


# What the locked path below writes for a current video that checks out, as one
# conditional UPDATE: its WHERE is the lock's check (still waiting, still current), so a
# check that settled it first leaves no row to match (tests/services/test_ready_claim.py
# compares the two paths).
_READY_CLAIM = (
    "UPDATE lti_tool_submission SET state = %s, ready_at = %s,"
    " size_bytes = COALESCE(%s, size_bytes), duration_seconds = %s,"
    " storage_waiting_since = NULL, verify_next_at = NULL, updated_at = %s"
    " WHERE id = %s AND state IN (%s, %s) AND is_current"
)


def submission_mark_verified(
    *, submission_id: int, metadata: VideoMetadata, seen: Submission | None = None
) -> None:
    """Called by the worker with what the storage says about the video. `seen` is the row
    as the worker read it before asking storage (`submission_to_verify`)."""
    if seen is not None and _ready_at_once(seen, metadata):
        return
    with transaction.atomic():
        # One query: the row locked, its assignment (duration limit) and course (the event's
        # tenant) read with it.
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("assignment__course")
            .get(pk=submission_id)
        )
        if submission.state not in WAITING:
            return
        submission.storage_waiting_since = None  # storage answered
        submission.verify_next_at = None
        if metadata.state == "error":
            # The backend words its provider's reasons; this is for the ones it does not.
            message = metadata.user_message or _("This file could not be read as a video.")
            _fail(submission, message, {"reason": metadata.error_code or metadata.state})
            return
        if not metadata.ready:
            submission.state = State.PROCESSING
            _check_later(submission, cap=300.0)
            submission.save()
            return
        if too_long := _duration_problem(submission.assignment, metadata):
            _fail(
                submission, too_long, {"reason": "too_long", "duration": metadata.duration_seconds}
            )
            return
        # Already current (a student's first upload, see confirm): the unique constraint
        # says no other one is, so there is nothing to replace.
        to_purge = [] if submission.is_current else _make_current(submission)
        submission.state = State.READY
        submission.ready_at = timezone.now()
        submission.size_bytes = metadata.size_bytes or submission.size_bytes
        submission.duration_seconds = metadata.duration_seconds
        submission.save(update_fields=[*_VERIFIED_FIELDS, "updated_at"])
        event_record(
            kind=Kind.READY,
            submission=submission,
            user_id=None,
            details={"duration": metadata.duration_seconds},
        )
        for old in to_purge:
            jobs.enqueue_on_commit(jobs.PURGE_VIDEO, old.pk)


def _ready_at_once(seen: Submission, metadata: VideoMetadata) -> bool:
    """A current upload that checks out (a student's first, as confirming makes it: the
    common case) becomes ready in one statement with its event, no lock held (on
    PostgreSQL, no transaction either). False when anything else is to be done, or the row
    changed since it was read: the locked path decides then."""
    if metadata.state == "error" or not metadata.ready or not seen.is_current:
        return False
    if _duration_problem(seen.assignment, metadata):
        return False
    now = now_as_stored()
    size, duration = metadata.size_bytes or None, metadata.duration_seconds
    return event_insert_if_claimed(
        claim=_READY_CLAIM,
        params=[State.READY, now, size, duration, now, seen.pk, *WAITING],
        kind=Kind.READY,
        tenant_id=seen.assignment.course.tenant_id,
        submission_id=seen.pk,
        details={"duration": duration},
    )


def submission_verify_later(*, submission_id: int, storage_down: bool) -> None:
    """Storage could not answer (`storage_down`: a transient provider error): ask again
    later. Meanwhile the student reads "Waiting for storage", never "Failed"."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.state not in WAITING:
            return
        if storage_down and submission.storage_waiting_since is None:
            submission.storage_waiting_since = timezone.now()
        _check_later(submission, cap=VERIFY_BACKOFF_CAP)
        submission.save(
            update_fields=["verify_attempts", "verify_next_at", "storage_waiting_since"]
        )


def submissions_verification_due(*, lease: timedelta = VERIFY_LEASE, limit: int = 500) -> list[int]:
    """Waiting uploads whose next check is due, or whose first check never ran (its message
    was lost). Each is leased: the next sweeps leave it alone while its check is queued."""
    now = timezone.now()
    due = list(
        Submission.objects.filter(state__in=WAITING)
        .filter(
            Q(verify_next_at__lte=now) | Q(verify_next_at__isnull=True, updated_at__lt=now - lease)
        )
        .order_by("verify_next_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    Submission.objects.filter(pk__in=due).update(verify_next_at=now + lease)
    return due


def _check_later(submission: Submission, *, cap: float) -> None:
    delay = backoff_seconds(
        submission.verify_attempts, base=VERIFY_BACKOFF_BASE, cap=cap, floor=VERIFY_BACKOFF_BASE
    )
    submission.verify_attempts += 1
    submission.verify_next_at = timezone.now() + timedelta(seconds=delay)


def submission_check_interrupted(*, submission_id: int, max_checks: int) -> bool:
    """A worker died while checking this upload (its message came back): count it. At
    `max_checks` such deaths the upload fails, as a file that is no video, and True."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.state not in WAITING:
            return False
        interrupted = int(submission.upload_details.get("interrupted_checks", 0)) + 1
        submission.upload_details = {**submission.upload_details, "interrupted_checks": interrupted}
        submission.save(update_fields=["upload_details", "updated_at"])
        if interrupted < max_checks:
            return False
        message = _("This file could not be read as a video.")
        _fail(submission, message, {"reason": "checks_interrupted", "checks": interrupted})
    return True


def submission_mark_failed(*, submission_id: int, reason: str) -> None:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.state in WAITING:
            _fail(submission, reason, {"reason": reason})


def _fail(submission: Submission, message: str, details: dict[str, Any]) -> None:
    """The upload cannot become a video: the student reads `message`; the log, `details`."""
    submission.state, submission.error_message = State.FAILED, message
    submission.save()
    event_record(kind=Kind.UPLOAD_FAILED, submission=submission, user_id=None, details=details)


def submission_playback(
    *, claims: LaunchClaims, submission_id: int, ip_address: str | None
) -> Playback:
    # Counted first: the statement that reads the submission writes the event row of the
    # link, and a link refused (429) has none. So a link asked for counts even when it is
    # then refused as 404 or 409 (the pages ask only for ready videos).
    with _rate_counting(claims, _PLAYBACK_LIMITS) as counted:
        _check_rate(counted, tenant_limits(claims.tenant_id), _PLAYBACK_LIMITS)
    target, event, event_id = playback_rows_write(claims=claims, submission_id=submission_id)
    if event_id is None:
        raise AppError("not_ready", _("This video is not ready to play yet."), status=409)
    try:
        playback = backend_for_config(target.storage).playback(
            target.video_id,
            Viewer(user_id=claims.user_id, ip_address=ip_address),
            expires_in=settings.VIDEO_PLAYBACK_TTL,
        )
    except Exception:
        event_withdraw(event_id)  # a link refused (misconfigured storage) leaves no row
        raise
    events_logged([event])
    return playback


def _make_current(submission: Submission) -> list[Submission]:
    """Make `submission` the current one. A ready video it replaces is kept as an earlier
    version (the teacher can still play it; it goes with the deletion paths); one that
    never became ready (failed, or still being checked) is soft-deleted: returned to purge."""
    replaced = list(
        Submission.objects.select_for_update()
        .filter(
            assignment_id=submission.assignment_id,
            student_id=submission.student_id,
            is_current=True,
        )
        .exclude(pk=submission.pk)
    )
    purge: list[Submission] = []
    for old in replaced:
        old.is_current = False
        kind = Kind.REPLACED
        if old.state != State.READY:
            old.state, old.deleted_at, kind = State.DELETED, timezone.now(), Kind.DELETION
            purge.append(old)
        old.save()
        event_record(
            kind=kind,
            submission=old,
            user_id=None,
            details={"reason": "replaced", "by": submission.pk},
        )
    submission.is_current = True
    return purge


def _upload_context(submission: Submission, assignment: VideoAssignment) -> UploadContext:
    return UploadContext(
        tenant_id=assignment.course.tenant_id,
        assignment_id=assignment.pk,
        user_id=submission.student_id,
        submission_id=submission.pk,
        max_size_bytes=_max_upload_bytes(assignment),
    )


def _max_upload_bytes(assignment: VideoAssignment) -> int:
    return assignment.max_size_bytes or settings.VIDEO_MAX_UPLOAD_BYTES


# Each action's windows, and the setting (the site's, or the tenant's override) that caps it.
_UPLOAD_LIMITS = {
    Window("upload_hour", 3600): "upload_per_hour",
    Window("upload_day", 86400): "upload_per_day",
}
_PLAYBACK_LIMITS = {Window("playback_hour", 3600): "playback_per_hour"}


def _rate_counting(
    claims: LaunchClaims, limits: dict[Window, str]
) -> AbstractContextManager[Counting]:
    """One request counted per user and assignment."""
    subject = f"{claims.tenant_id}:{claims.user_id}:{claims.assignment_id}"
    return rate_counting(subject=subject, windows=list(limits))


def _check_rate(
    counted: Counting, overrides: dict[str, Any] | None, limits: dict[Window, str]
) -> None:
    """The counts against the site's limits, with the tenant's overrides."""
    caps = {**settings.VIDEO_RATE_LIMITS, **(overrides or {})}
    try:
        counted.check({window.name: int(caps[setting]) for window, setting in limits.items()})
    except RateLimited as exc:
        raise TooManyRequests(_rate_limited_message(exc), retry_after=exc.retry_after) from exc


def _rate_limited_message(exc: RateLimited) -> str:
    periods = {3600: _("hour"), 86400: _("day")}
    period = periods.get(exc.limit.period_seconds)
    if period is None:
        return str(exc)  # the library's own English sentence (no such limit is set here)
    minutes = max(1, math.ceil(exc.retry_after / 60))
    return ngettext(
        "Too many attempts: at most %(max)d per %(period)s. Please try again in about "
        "%(minutes)d minute.",
        "Too many attempts: at most %(max)d per %(period)s. Please try again in about "
        "%(minutes)d minutes.",
        minutes,
    ) % {"max": exc.limit.max_requests, "period": period, "minutes": minutes}


def _refuse_resubmission_if_closed(claims: LaunchClaims, assignment: VideoAssignment) -> None:
    if assignment.allow_resubmission:
        return
    if (
        Submission.objects.filter(assignment=assignment, student_id=claims.user_id, is_current=True)
        .exclude(state=State.FAILED)
        .exists()
    ):
        raise AppError(
            "resubmission_closed",
            _("This assignment accepts one video, and yours is already submitted."),
            status=409,
        )


def _duration_problem(assignment: VideoAssignment, metadata: VideoMetadata) -> str | None:
    """The assignment's maximum duration, checked where storage could measure the video."""
    limit, duration = assignment.max_duration_seconds, metadata.duration_seconds
    if not limit or duration is None or duration <= limit + _DURATION_TOLERANCE:
        return None
    return _(
        "This video is %(duration)s long; this assignment accepts videos up to "
        "%(limit)s. Please upload a shorter one."
    ) % {"duration": _minutes(duration), "limit": _minutes(limit)}


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return _("%(minutes)d:%(seconds)02d min") % {"minutes": whole // 60, "seconds": whole % 60}
