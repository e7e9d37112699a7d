"""How an unfinished upload ends without becoming a video: the student cancels it, a newer
upload replaces it, or nobody touched it for a while (the periodic sweep). Each way revokes
its ticket at once (the upload endpoints ask `upload_is_open`, and the multipart and tus
forwarding steps only serve pending uploads), and its partial bytes are removed (local
partial file, S3 AbortMultipartUpload, Stream's pending video: `delete_video`): by a worker
at once when cancelled or abandoned; by the five-minute sweep when replaced, so that a
ticket stays one write (a task message cost a ticket more CPU than all its SQL).

Failed uploads keep their row (the student reads why), but their bytes are purged too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from lti_tool import jobs
from lti_tool.errors import SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Submission, Tenant, VideoEvent
from lti_tool.selectors.hot_paths import UNFINISHED_WHERE
from lti_tool.services.events import Event, events_insert
from lti_tool.services.writes import Statement, now_as_stored, update_statement

State = Submission.State
# A pending upload's row is touched (updated_at) at most this often by the bytes arriving.
_TOUCH_EVERY = timedelta(minutes=1)


def upload_revoke(submission: Submission, *, reason: str, user_id: int | None) -> None:
    """End a pending upload (the caller holds its row lock): from this commit its ticket is
    refused, and a worker removes whatever bytes arrived."""
    tenant_id = submission.assignment.course.tenant_id
    update, events = uploads_ending(
        [submission], reason=reason, user_id=user_id, tenant_id=tenant_id
    )
    with connection.cursor() as cursor:
        cursor.execute(*update)
    events_insert(events)
    jobs.enqueue_on_commit(jobs.PURGE_VIDEO, submission.pk)


def uploads_ending(
    submissions: Sequence[Submission], *, reason: str, user_id: int | None, tenant_id: int
) -> tuple[Statement, list[Event]]:
    """`upload_revoke` for uploads of one tenant, but the caller sends the UPDATE that ends
    them and writes their events, in its transaction (a ticket, with its own writes), and
    their bytes wait for the sweep (`unfinished_uploads_to_purge`) unless it enqueues them."""
    now = timezone.now()
    for submission in submissions:
        submission.state, submission.deleted_at, submission.updated_at = State.DELETED, now, now
    ended = {"state": State.DELETED, "deleted_at": now, "updated_at": now}
    update = update_statement(Submission, [s.pk for s in submissions], ended)
    details = {"reason": reason, "stage": "upload"}
    kind = VideoEvent.Kind.DELETION
    return update, [Event(kind, tenant_id, s.pk, user_id, details) for s in submissions]


def unfinished_uploads_ending(
    *, assignment_id: int, student_id: int, reason: str, user_id: int | None, tenant_id: int
) -> tuple[Statement, Event]:
    """`uploads_ending` for whichever of the student's uploads to the assignment are still
    unfinished when the statement runs: an UPDATE whose WHERE is the check, RETURNING the
    ended ids (no lock taken: an upload ended meanwhile is not ended twice), and the event
    of each (its submission id: the row's)."""
    now = now_as_stored()
    update = (
        "UPDATE lti_tool_submission SET state = %s, deleted_at = %s, updated_at = %s"  # noqa: S608 - constants
        f"{UNFINISHED_WHERE} RETURNING id",
        [State.DELETED.value, now, now, assignment_id, student_id],
    )
    details = {"reason": reason, "stage": "upload"}
    return update, Event(VideoEvent.Kind.DELETION, tenant_id, None, user_id, details)


def submission_cancel_upload(*, claims: LaunchClaims, submission_id: int) -> None:
    """The student pressed Cancel: the upload ends now. Cancelling twice is fine."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .filter(pk=submission_id, student_id=claims.user_id, assignment_id=claims.assignment_id)
            .first()
        )
        if submission is None:
            raise SubmissionNotFound()
        if submission.state == State.PENDING_UPLOAD:
            upload_revoke(submission, reason="cancelled", user_id=claims.user_id)


def submission_upload_alive(*, claims: LaunchClaims, submission_id: int) -> bool:
    """The page reports that bytes are still going to storage (which we may not see: S3 and
    Stream receive them directly). False when the upload has ended meanwhile."""
    now = timezone.now()
    pending = Submission.objects.filter(
        pk=submission_id,
        student_id=claims.user_id,
        assignment_id=claims.assignment_id,
        state=State.PENDING_UPLOAD,
    )
    touched = pending.filter(updated_at__lt=now - _TOUCH_EVERY).update(updated_at=now)
    return touched > 0 or pending.exists()


def upload_is_open(ref: str) -> bool:
    """May bytes still arrive for this upload ref? No once its submission left "pending"
    (cancelled, replaced, abandoned, finished). A ref no submission names is left to the
    signed ticket alone (the storage library's own tests upload without submissions).
    Also notes that the upload is alive, so the sweep does not end a slow upload."""
    now = timezone.now()
    rows = Submission.objects.filter(upload_ref=ref)
    pending = rows.filter(state=State.PENDING_UPLOAD)
    if pending.filter(updated_at__lt=now - _TOUCH_EVERY).update(updated_at=now):
        return True
    return pending.exists() or not rows.exists()


def abandoned_after(tenant: Tenant) -> timedelta:
    """The tenant's `limits["abandoned_upload_minutes"]`, else the site's setting."""
    minutes = (tenant.limits or {}).get(
        "abandoned_upload_minutes", settings.VIDEO_ABANDONED_UPLOAD_MINUTES
    )
    return timedelta(minutes=int(minutes))


def uploads_end_abandoned(*, now: datetime | None = None) -> int:
    """End pending uploads nobody touched for longer than their tenant allows."""
    now = now or timezone.now()
    ended = 0
    shortest = timedelta(minutes=1)
    stale = Submission.objects.filter(
        state=State.PENDING_UPLOAD, updated_at__lt=now - shortest
    ).select_related("assignment__course__tenant")
    for candidate in stale.iterator(chunk_size=200):
        if candidate.updated_at >= now - abandoned_after(candidate.assignment.course.tenant):
            continue
        with transaction.atomic():
            submission = (
                Submission.objects.select_for_update()
                .filter(pk=candidate.pk, state=State.PENDING_UPLOAD, updated_at__lt=now)
                .first()
            )
            if submission is not None and submission.updated_at == candidate.updated_at:
                upload_revoke(submission, reason="abandoned", user_id=None)
                ended += 1
    return ended


def unfinished_uploads_to_purge(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Uploads that never became a video whose bytes are still in storage, a grace minute
    after they ended: failed ones, and ended ones (replaced; cancelled or abandoned ones
    whose own purge has not run yet). `services.deletion.submission_purge` removes them and
    records it, once."""
    cutoff = (now or timezone.now()) - timedelta(minutes=1)
    failed = Q(state=State.FAILED, updated_at__lt=cutoff)
    ended = Q(state=State.DELETED, uploaded_at__isnull=True, deleted_at__lt=cutoff)
    return list(
        Submission.objects.filter(failed | ended, purged_at__isnull=True)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
