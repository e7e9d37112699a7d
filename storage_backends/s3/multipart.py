"""Browser-driven multipart uploads (Uppy's AwsS3 plugin): we open the upload, sign each
part just before the browser PUTs it, list parts to resume, and complete or abort.

Nothing in S3 limits a multipart upload's total size up front, so the bounds are ours:
no part beyond what the declared size needs, and the completed object's size checked.
"""

from __future__ import annotations

from typing import Any

from storage_backends.base import UploadedPart
from storage_backends.errors import ProviderError
from storage_backends.s3.bucket import S3Bucket
from storage_backends.s3.errors import S3Error
from storage_backends.s3.options import MiB

MAX_PARTS = 10_000  # S3's limit per upload

RESTART = "Please upload the video again."


def part_size_for(size: int, part_size: int) -> int:
    """The configured part size, grown in whole MiB when the file would need > 10,000 parts."""
    if -(-size // part_size) <= MAX_PARTS:
        return part_size
    per_part = -(-size // MAX_PARTS)
    return -(-per_part // MiB) * MiB


def parts_needed(size: int, part_size: int) -> int:
    return max(1, -(-size // part_size_for(size, part_size)))


def check_part_number(part_number: int, last_part: int) -> None:
    if not 1 <= part_number <= min(last_part, MAX_PARTS):
        raise ProviderError(
            f"Part {part_number} is outside this upload (parts 1 to {last_part}).",
            permanent=True,
            code="invalid_part",
        )


def create(bucket: S3Bucket, key: str, *, mime: str, metadata: dict[str, str]) -> str:
    answer = bucket.call("create_multipart_upload", Key=key, ContentType=mime, Metadata=metadata)
    return str(answer["UploadId"])


def list_parts(bucket: S3Bucket, key: str, upload_id: str) -> list[UploadedPart]:
    """Every part S3 holds, across pages (1,000 per page), for resuming an upload."""
    parts: list[UploadedPart] = []
    marker = 0
    while True:
        page = _open_upload_call(
            bucket, "list_parts", Key=key, UploadId=upload_id, PartNumberMarker=marker
        )
        parts += [
            UploadedPart(part_number=p["PartNumber"], etag=p["ETag"], size=p.get("Size"))
            for p in page.get("Parts", [])
        ]
        if not page.get("IsTruncated"):
            return parts
        marker = page["NextPartNumberMarker"]


def check_parts_total(bucket: S3Bucket, key: str, upload_id: str, expected_size: int) -> None:
    """Refuse to let the browser complete an upload whose stored parts do not add up to
    the size it declared: the assembled object would only be refused at confirmation."""
    stored = sum(part.size or 0 for part in list_parts(bucket, key, upload_id))
    if stored != expected_size:
        raise ProviderError(
            f"Some parts of the video did not arrive whole. {RESTART}",
            permanent=True,
            code="upload_incomplete",
        )


def complete(
    bucket: S3Bucket, key: str, upload_id: str, parts: list[UploadedPart], *, last_part: int
) -> None:
    ordered = ordered_parts(parts, last_part)
    try:
        bucket.call(
            "complete_multipart_upload",
            Key=key,
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in ordered]
            },
        )
    except S3Error as exc:
        if exc.aws_code == "NoSuchUpload" and bucket.head(key) is not None:
            return  # an earlier attempt completed it and its answer was lost
        raise _student_error(exc) from exc


def ordered_parts(parts: list[UploadedPart], last_part: int) -> list[UploadedPart]:
    """S3 wants ascending, unique part numbers; Uppy may report them in any order."""
    if not parts:
        raise ProviderError(
            f"No part of the video arrived. {RESTART}", permanent=True, code="upload_incomplete"
        )
    ordered = sorted(parts, key=lambda part: part.part_number)
    numbers = [part.part_number for part in ordered]
    if len(set(numbers)) != len(numbers):
        raise ProviderError("The same part was sent twice.", permanent=True, code="invalid_part")
    for number in (numbers[0], numbers[-1]):
        check_part_number(number, last_part)
    return ordered


def abort(bucket: S3Bucket, key: str, upload_id: str) -> None:
    try:
        bucket.call("abort_multipart_upload", Key=key, UploadId=upload_id)
    except S3Error as exc:
        if not exc.not_found:
            raise  # NoSuchUpload: aborted or completed before; aborting is idempotent


def abort_all(bucket: S3Bucket, key: str) -> None:
    """Abort unfinished uploads to this key: their parts are billed until aborted."""
    answer = bucket.call("list_multipart_uploads", Prefix=key)
    for upload in answer.get("Uploads", []):
        if upload["Key"] == key:
            abort(bucket, key, upload["UploadId"])


def _open_upload_call(bucket: S3Bucket, operation: str, **kwargs: Any) -> dict[str, Any]:
    try:
        return dict(bucket.call(operation, **kwargs))
    except S3Error as exc:
        if exc.aws_code == "NoSuchUpload":
            raise ProviderError(
                f"This upload is no longer open. {RESTART}", permanent=True, code="upload_missing"
            ) from exc
        raise


def _student_error(exc: S3Error) -> ProviderError:
    if exc.aws_code in {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "NoSuchUpload"}:
        return ProviderError(
            f"Some parts of the video did not arrive whole. {RESTART}",
            permanent=True,
            code="upload_incomplete",
        )
    return exc
