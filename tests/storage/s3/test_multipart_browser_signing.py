"""Uppy's AwsS3 v6 sends ListParts and CompleteMultipartUpload to S3 itself: the backend
signs those requests for the stored upload, and signs a completion only when the parts
add up to the declared size."""

from __future__ import annotations

import os

import pytest
import requests

from storage_backends.base import UploadContext
from storage_backends.errors import ProviderError
from storage_backends.s3 import S3Backend
from tests.fakes.s3 import BROWSER_ORIGIN, upload_multipart

MiB = 1024**2
DATA = os.urandom(6 * MiB + 1000)  # above the fixture's 6 MiB threshold: two parts


def complete_xml(parts: list[tuple[int, str]]) -> str:
    items = "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>" for n, etag in parts
    )
    return f"<CompleteMultipartUpload>{items}</CompleteMultipartUpload>"


def test_the_browser_lists_and_completes_with_signed_urls(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    ticket = s3_backend.create_upload(upload_ctx, "talk.mp4", len(DATA), "video/mp4")
    ref, upload_id = ticket.upload_ref, ticket.fields["uploadId"]
    parts = upload_multipart(s3_backend, ticket, DATA, complete=False)

    listed = requests.get(
        s3_backend.multipart_sign_request(ref, upload_id, "list_parts"),
        headers={"Origin": BROWSER_ORIGIN},
        timeout=10,
    )
    assert listed.status_code == 200
    assert all(part.etag in listed.text for part in parts)

    url = s3_backend.multipart_sign_request(ref, upload_id, "complete", expected_size=len(DATA))
    completed = requests.post(
        url,
        data=complete_xml([(p.part_number, p.etag) for p in parts]),
        headers={"Content-Type": "application/xml"},
        timeout=10,
    )
    assert completed.status_code == 200, completed.text
    assert s3_backend.confirm_upload(ref, {"size": len(DATA), "mime": "video/mp4"}) == ref


def test_no_completion_is_signed_while_parts_are_missing(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    ticket = s3_backend.create_upload(upload_ctx, "talk.mp4", len(DATA) + 1, "video/mp4")
    upload_multipart(s3_backend, ticket, DATA, complete=False)  # one byte short

    with pytest.raises(ProviderError) as refused:
        s3_backend.multipart_sign_request(
            ticket.upload_ref, ticket.fields["uploadId"], "complete", expected_size=len(DATA) + 1
        )
    assert (refused.value.code, refused.value.permanent) == ("upload_incomplete", True)


def test_only_keys_of_ours_are_signed(s3_backend: S3Backend) -> None:
    with pytest.raises(ProviderError):
        s3_backend.multipart_sign_request("../other-bucket/key", "upload-id", "list_parts")
