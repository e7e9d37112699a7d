"""Large files: Uppy's AwsS3 multipart flow against the backend's sign/list/complete/abort."""

from __future__ import annotations

import os

import pytest

from storage_backends.base import (
    UploadContext,
    UploadedPart,
    UploadTicket,
)
from storage_backends.errors import ProviderError
from storage_backends.s3 import S3Backend
from storage_backends.s3.multipart import MAX_PARTS, part_size_for, parts_needed
from tests.fakes.s3 import MotoServer, put_part, upload_multipart

MiB = 1024**2
PART = 5 * MiB  # AWS's (and moto's) smallest part but the last
BIG = os.urandom(2 * PART + 1000)  # three parts: 5 MiB, 5 MiB, 1000 bytes


@pytest.fixture
def big_ticket(s3_backend: S3Backend, upload_ctx: UploadContext) -> UploadTicket:
    return s3_backend.create_upload(upload_ctx, "lecture.mov", len(BIG), "video/quicktime")


def test_large_files_get_a_multipart_ticket(
    big_ticket: UploadTicket, s3_backend: S3Backend, s3_server: MotoServer, s3_bucket: str
) -> None:
    assert big_ticket.protocol == "s3-multipart"
    assert big_ticket.fields["key"] == big_ticket.upload_ref
    assert big_ticket.fields["partSize"] == str(PART)
    pending = s3_server.client("s3").list_multipart_uploads(Bucket=s3_bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in pending] == [
        (big_ticket.upload_ref, big_ticket.fields["uploadId"])
    ]


def test_three_parts_listed_completed_and_confirmed(
    big_ticket: UploadTicket, s3_backend: S3Backend
) -> None:
    ref, upload_id = big_ticket.upload_ref, big_ticket.fields["uploadId"]
    parts = upload_multipart(s3_backend, big_ticket, BIG, complete=False)

    listed = s3_backend.multipart_list_parts(ref, upload_id)
    assert [(p.part_number, p.etag, p.size) for p in listed] == [
        (1, parts[0].etag, PART),
        (2, parts[1].etag, PART),
        (3, parts[2].etag, 1000),
    ]
    s3_backend.multipart_complete(ref, upload_id, list(reversed(listed)), expected_size=len(BIG))

    assert s3_backend.confirm_upload(ref, {"size": len(BIG), "mime": "video/quicktime"}) == ref
    metadata = s3_backend.get_metadata(ref)
    assert (metadata.size_bytes, metadata.mime_type) == (len(BIG), "video/quicktime")
    # A retried complete (its first answer lost) finds the object and is content.
    s3_backend.multipart_complete(ref, upload_id, listed, expected_size=len(BIG))


def test_total_size_mismatch_is_rejected_and_removed(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    declared = len(BIG) + 500  # the browser sends less than it declared
    ticket = s3_backend.create_upload(upload_ctx, "lecture.mp4", declared, "video/mp4")
    parts = upload_multipart(s3_backend, ticket, BIG, complete=False)

    with pytest.raises(ProviderError) as mismatch:
        s3_backend.multipart_complete(
            ticket.upload_ref, ticket.fields["uploadId"], parts, expected_size=declared
        )
    assert mismatch.value.permanent and mismatch.value.code == "size_mismatch"
    assert "upload it again" in mismatch.value.message
    assert not s3_backend.video_exists(ticket.upload_ref)


def test_a_wrong_etag_cannot_complete(big_ticket: UploadTicket, s3_backend: S3Backend) -> None:
    parts = upload_multipart(s3_backend, big_ticket, BIG, complete=False)
    parts[1] = UploadedPart(part_number=2, etag='"0123456789abcdef0123456789abcdef"')

    with pytest.raises(ProviderError) as broken:
        s3_backend.multipart_complete(
            big_ticket.upload_ref, big_ticket.fields["uploadId"], parts, expected_size=len(BIG)
        )
    assert broken.value.permanent and broken.value.code == "upload_incomplete"


def test_abort_is_idempotent_and_closes_the_upload(
    big_ticket: UploadTicket, s3_backend: S3Backend
) -> None:
    ref, upload_id = big_ticket.upload_ref, big_ticket.fields["uploadId"]
    url = s3_backend.multipart_sign_part(ref, upload_id, 1, expected_size=len(BIG))
    put_part(url, BIG[:PART])

    s3_backend.multipart_abort(ref, upload_id)
    s3_backend.multipart_abort(ref, upload_id)

    with pytest.raises(ProviderError) as closed:
        s3_backend.multipart_list_parts(ref, upload_id)
    assert closed.value.code == "upload_missing"


def test_delete_aborts_an_unfinished_upload(
    big_ticket: UploadTicket, s3_backend: S3Backend, s3_server: MotoServer, s3_bucket: str
) -> None:
    s3_backend.delete_video(big_ticket.upload_ref)

    assert s3_server.client("s3").list_multipart_uploads(Bucket=s3_bucket).get("Uploads") is None


@pytest.mark.parametrize("part_number", [0, -1, 4, MAX_PARTS + 1])
def test_sign_part_refuses_parts_outside_the_upload(
    big_ticket: UploadTicket, s3_backend: S3Backend, part_number: int
) -> None:
    with pytest.raises(ProviderError) as refused:
        s3_backend.multipart_sign_part(
            big_ticket.upload_ref,
            big_ticket.fields["uploadId"],
            part_number,
            expected_size=len(BIG),
        )
    assert refused.value.permanent and refused.value.code == "invalid_part"


def test_sign_part_without_declared_size_keeps_s3_bounds(
    big_ticket: UploadTicket, s3_backend: S3Backend
) -> None:
    ref, upload_id = big_ticket.upload_ref, big_ticket.fields["uploadId"]
    assert "partNumber=10000" in s3_backend.multipart_sign_part(ref, upload_id, MAX_PARTS)
    with pytest.raises(ProviderError):
        s3_backend.multipart_sign_part(ref, upload_id, MAX_PARTS + 1)


def test_complete_refuses_parts_past_the_declared_size(
    big_ticket: UploadTicket, s3_backend: S3Backend
) -> None:
    extra = [UploadedPart(part_number=n, etag=f'"{n}"') for n in (1, 2, 3, 4)]
    with pytest.raises(ProviderError) as refused:
        s3_backend.multipart_complete(
            big_ticket.upload_ref, big_ticket.fields["uploadId"], extra, expected_size=len(BIG)
        )
    assert refused.value.code == "invalid_part"
    with pytest.raises(ProviderError) as empty:
        s3_backend.multipart_complete(
            big_ticket.upload_ref, big_ticket.fields["uploadId"], [], expected_size=len(BIG)
        )
    assert empty.value.code == "upload_incomplete"


def test_part_size_grows_to_stay_within_10000_parts() -> None:
    assert part_size_for(100 * MiB, 10 * MiB) == 10 * MiB
    huge = 200 * 1024**3
    grown = part_size_for(huge, 10 * MiB)
    assert grown % MiB == 0 and parts_needed(huge, 10 * MiB) <= MAX_PARTS < huge // (10 * MiB)
