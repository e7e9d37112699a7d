"""The protocol-specific steps of direct uploads: S3 multipart parts, tus forwarding to
Cloudflare, provider webhooks. Every step checks the submission it acts on; ids the
browser sends (upload ids, object keys) are never trusted: we use the stored ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import urlencode

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lti_tool import jobs
from lti_tool.errors import AppError, NotFound, SubmissionNotFound
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import StorageConfig, Submission
from lti_tool.selectors.submissions import submission_for_viewer
from lti_tool.services.storage import backend_for_config, backend_for_submission
from storage_backends.base import (
    FORWARD_TICKET_PARAM,
    MultipartOperation,
    MultipartUploads,
    StorageBackend,
    TusCreationForwarding,
    UploadedPart,
    UploadTicket,
    WebhookReceiver,
)
from storage_backends.errors import ProviderError

logger = logging.getLogger(__name__)
_FORWARD_SALT = "lti_tool.tus_forward"
# HTTP status for the storage error codes a browser can cause.
_STATUS = {
    "invalid_part": 400,
    "invalid_reference": 400,
    "upload_missing": 404,
    "size_mismatch": 422,
    "upload_incomplete": 422,
    "type_mismatch": 422,
    "storage_full": 507,  # the local disk is full
    "storage_unwritable": 507,  # or cannot be written
}


def upload_ticket_finish(
    *, submission: Submission, backend: StorageBackend, ticket: UploadTicket
) -> UploadTicket:
    """Remember what the later steps need; point tus-forwarding uploads at our endpoint."""
    submission.upload_details = {"protocol": ticket.protocol, **ticket.fields}
    if isinstance(backend, TusCreationForwarding):
        token = signing.dumps({"submission": submission.pk}, salt=_FORWARD_SALT)
        ticket = replace(ticket, url=f"{ticket.url}?{urlencode({FORWARD_TICKET_PARAM: token})}")
    return ticket


def storage_error(exc: ProviderError) -> AppError:
    status = _STATUS.get(exc.code) or (503 if not exc.permanent else 400)
    return AppError(exc.code, exc.message, status=status)


@contextmanager
def provider_errors() -> Iterator[None]:
    """Storage errors become user errors: 4xx for what the browser sent, 503 for outages."""
    try:
        yield
    except ProviderError as exc:
        raise storage_error(exc) from exc


def _own_pending_upload(claims: LaunchClaims, submission_id: int) -> Submission:
    submission = submission_for_viewer(claims, submission_id)
    if submission.student_id != claims.user_id:
        raise SubmissionNotFound()
    if submission.state != Submission.State.PENDING_UPLOAD:
        raise AppError("upload_closed", _("This upload is already finished."), status=409)
    return submission


def _multipart(submission: Submission) -> tuple[MultipartUploads, str, str]:
    backend = backend_for_submission(submission)
    upload_id = submission.upload_details.get("uploadId")
    if not isinstance(backend, MultipartUploads) or not upload_id:
        raise AppError("not_multipart", _("This upload does not use multipart."), status=400)
    return backend, submission.upload_ref, str(upload_id)


def multipart_sign_part(*, claims: LaunchClaims, submission_id: int, part_number: int) -> str:
    submission = _own_pending_upload(claims, submission_id)
    backend, ref, upload_id = _multipart(submission)
    with provider_errors():
        return backend.multipart_sign_part(
            ref, upload_id, part_number, expected_size=submission.size_bytes
        )


def multipart_sign_request(
    *, claims: LaunchClaims, submission_id: int, operation: MultipartOperation
) -> str:
    submission = _own_pending_upload(claims, submission_id)
    backend, ref, upload_id = _multipart(submission)
    with provider_errors():
        return backend.multipart_sign_request(
            ref, upload_id, operation, expected_size=submission.size_bytes
        )


def multipart_list_parts(*, claims: LaunchClaims, submission_id: int) -> list[UploadedPart]:
    backend, ref, upload_id = _multipart(_own_pending_upload(claims, submission_id))
    with provider_errors():
        return backend.multipart_list_parts(ref, upload_id)


def multipart_complete(
    *, claims: LaunchClaims, submission_id: int, parts: list[UploadedPart]
) -> None:
    """Assemble the parts; the total size is checked here, multipart cannot enforce it."""
    submission = _own_pending_upload(claims, submission_id)
    backend, ref, upload_id = _multipart(submission)
    with provider_errors():
        backend.multipart_complete(ref, upload_id, parts, expected_size=submission.size_bytes or 0)


def multipart_abort(*, claims: LaunchClaims, submission_id: int) -> None:
    backend, ref, upload_id = _multipart(_own_pending_upload(claims, submission_id))
    with provider_errors():
        backend.multipart_abort(ref, upload_id)


def tus_forward_creation(*, token: str, upload_length: int, upload_metadata: str) -> str:
    """Create the upload at the provider for the browser; returns the one-time Location."""
    try:
        submission_id = signing.loads(token, salt=_FORWARD_SALT, max_age=24 * 3600)["submission"]
    except (signing.BadSignature, KeyError, TypeError) as exc:
        raise AppError("invalid_ticket", _("The upload ticket is not valid."), status=403) from exc
    submission = Submission.objects.filter(
        pk=submission_id, state=Submission.State.PENDING_UPLOAD
    ).first()
    if submission is None:
        raise AppError("upload_closed", _("This upload is no longer open."), status=409)
    if upload_length != submission.size_bytes:
        raise AppError(
            "size_mismatch", _("Upload-Length does not match the size announced for this file.")
        )
    backend = backend_for_submission(submission)
    if not isinstance(backend, TusCreationForwarding):
        raise AppError("not_tus", _("This upload does not use tus forwarding."), status=400)
    with provider_errors():
        location, video_id = backend.forward_tus_creation(
            submission.upload_ref, upload_length=upload_length, upload_metadata=upload_metadata
        )
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        locked.upload_details = {**locked.upload_details, "video_id": video_id}
        locked.save(update_fields=["upload_details", "updated_at"])
    return location


def webhook_receive(*, config_id: int, headers: dict[str, str], body: bytes) -> int | None:
    """Verify a provider notification; re-check the video it names. Returns its submission."""
    config = StorageConfig.objects.filter(pk=config_id).first()
    backend = backend_for_config(config) if config else None
    if not isinstance(backend, WebhookReceiver):
        raise NotFound(_("No webhook is configured here."))
    try:
        event = backend.parse_webhook(headers, body)
    except ProviderError as exc:
        logger.warning("webhook refused config=%s: %s", config_id, exc.message)
        raise AppError("bad_webhook", exc.message, status=400) from exc
    submission = (
        Submission.objects.filter(storage=config)
        .filter(Q(video_id=event.video_id) | Q(upload_details__video_id=event.video_id))
        .first()
    )
    if submission is None:
        return None  # not ours, or deleted since: nothing to do
    # The provider's API stays the source of truth: the task asks it again.
    jobs.enqueue_on_commit(jobs.VERIFY_SUBMISSION, submission.pk)
    return submission.pk
