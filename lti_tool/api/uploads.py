"""The endpoints Uppy's AwsS3 plugin calls for multipart uploads (S3 and compatible).

Uppy's AwsS3 v6 sends ListParts and CompleteMultipartUpload to S3 itself: it asks
`/multipart/sign` for their URLs (and `/multipart/parts/{n}` for each part's). The JSON
`parts`, `complete` and `abort` endpoints do the same steps on the server, for clients
that do not talk to S3 themselves (and `abort` for our page: S3 CORS need not allow DELETE).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from lti_tool.api.common import Out, error_responses, launch_claims
from lti_tool.services.upload_endings import submission_cancel_upload, submission_upload_alive
from lti_tool.services.uploads import (
    multipart_abort,
    multipart_complete,
    multipart_list_parts,
    multipart_sign_part,
    multipart_sign_request,
)
from storage_backends.base import MultipartOperation, UploadedPart

router = Router(tags=["uploads"])


class SignedUrlOut(Out):
    url: str


class MultipartSignIn(Schema):
    operation: MultipartOperation


class PartIO(Schema):
    PartNumber: int  # noqa: N815 - the names Uppy and S3 use
    ETag: str  # noqa: N815
    Size: int | None = None  # noqa: N815


class CompleteIn(Schema):
    parts: list[PartIO]


class OkOut(Out):
    ok: bool


@router.post("/submissions/{submission_id}/multipart/parts/{part_number}", response=SignedUrlOut)
def sign_part(request: HttpRequest, submission_id: int, part_number: int) -> dict[str, str]:
    url = multipart_sign_part(
        claims=launch_claims(request), submission_id=submission_id, part_number=part_number
    )
    return {"url": url}


@router.post("/submissions/{submission_id}/multipart/sign", response=SignedUrlOut)
def sign_request(
    request: HttpRequest, submission_id: int, payload: MultipartSignIn
) -> dict[str, str]:
    """A presigned URL for the browser's own ListParts or CompleteMultipartUpload."""
    url = multipart_sign_request(
        claims=launch_claims(request), submission_id=submission_id, operation=payload.operation
    )
    return {"url": url}


@router.get("/submissions/{submission_id}/multipart/parts", response=list[PartIO])
def list_parts(request: HttpRequest, submission_id: int) -> list[dict[str, object]]:
    parts = multipart_list_parts(claims=launch_claims(request), submission_id=submission_id)
    return [{"PartNumber": p.part_number, "ETag": p.etag, "Size": p.size} for p in parts]


@router.post("/submissions/{submission_id}/multipart/complete", response=OkOut)
def complete(request: HttpRequest, submission_id: int, payload: CompleteIn) -> dict[str, bool]:
    parts = [UploadedPart(p.PartNumber, p.ETag, p.Size) for p in payload.parts]
    multipart_complete(claims=launch_claims(request), submission_id=submission_id, parts=parts)
    return {"ok": True}


@router.post("/submissions/{submission_id}/multipart/abort", response=OkOut)
def abort(request: HttpRequest, submission_id: int) -> dict[str, bool]:
    multipart_abort(claims=launch_claims(request), submission_id=submission_id)
    return {"ok": True}


@router.post(
    "/submissions/{submission_id}/cancel",
    response={200: OkOut, **error_responses(401, 404)},
)
def cancel_upload(request: HttpRequest, submission_id: int) -> dict[str, bool]:
    """The student cancelled: the ticket is refused from now on, the bytes are removed."""
    submission_cancel_upload(claims=launch_claims(request), submission_id=submission_id)
    return {"ok": True}


class AliveOut(Out):
    open: bool  # False: the upload was ended (cancelled, replaced, abandoned, finished)


@router.post("/submissions/{submission_id}/alive", response={200: AliveOut, **error_responses(401)})
def upload_alive(request: HttpRequest, submission_id: int) -> dict[str, bool]:
    """While bytes go straight to storage, the page says so about once a minute: the sweep
    of abandoned uploads counts from the last sign of life."""
    alive = submission_upload_alive(claims=launch_claims(request), submission_id=submission_id)
    return {"open": alive}
