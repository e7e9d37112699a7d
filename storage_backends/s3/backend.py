"""Videos in an S3 bucket, uploaded straight from the browser, watched through CloudFront.

Uploads: a presigned POST (SigV4) for files up to `multipart_threshold`, whose policy pins
the key, the type and the size; above it a multipart upload the browser drives part by
part (`MultipartUploads`). Playback: CloudFront signed URLs (canned policy), or presigned
S3 GETs where no CloudFront is configured (development, moto). Deleting also invalidates
the CloudFront path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

import boto3
from botocore.config import Config

from storage_backends.base import (
    HealthCheck,
    MultipartOperation,
    MultipartUploads,
    ObjectListing,
    Playback,
    StorageBackend,
    StoredObject,
    UploadContext,
    UploadedPart,
    UploadTicket,
    VideoMetadata,
    Viewer,
)
from storage_backends.errors import ProviderError
from storage_backends.s3 import multipart
from storage_backends.s3.bucket import S3Bucket
from storage_backends.s3.checks import bucket_problems
from storage_backends.s3.cloudfront import CloudFrontUrls, invalidate
from storage_backends.s3.costs import estimate_monthly_cost
from storage_backends.s3.keys import checked_key, object_key
from storage_backends.s3.options import SIGV4_MAX_EXPIRY, S3Options
from storage_backends.validation import validate_upload

if TYPE_CHECKING:
    from botocore.config import _RetryDict  # botocore-stubs' type of Config(retries=...)


class _Timeouts(TypedDict):
    connect_timeout: int
    read_timeout: int


# botocore's own retries off (`total_max_attempts`; its `max_attempts` counts *retries*):
# errors.aws_call retries, so one failure is never retried 2 x 3 times.
NO_RETRY: _RetryDict = {"total_max_attempts": 1, "mode": "standard"}
TIMEOUTS: _Timeouts = {"connect_timeout": 5, "read_timeout": 30}
CLOUDFRONT_CONFIG = Config(retries=NO_RETRY, **TIMEOUTS)
# The S3 requests of a multipart upload the browser sends itself, with a URL we sign.
SIGNED_OPERATIONS: dict[str, str] = {
    "list_parts": "list_parts",
    "complete": "complete_multipart_upload",
}


LIST_PAGE_SIZE = 1000  # ListObjectsV2's own maximum


class S3Backend(StorageBackend, MultipartUploads, HealthCheck, ObjectListing):
    """Options: see `S3Options`. One instance per tenant configuration, shared by threads:
    it holds one boto3 client and the parsed CloudFront key, nothing per request."""

    name = "s3"
    label = "Amazon S3 + CloudFront"
    Options = S3Options

    def __init__(self, **options: Any) -> None:
        self.options = S3Options.load(options)  # unknown option -> ImproperlyConfigured
        self.bucket = S3Bucket(
            _client("s3", self.options, _s3_config(self.options)), self.options.bucket
        )
        self.cdn: CloudFrontUrls | None = None
        self.cloudfront: Any = None
        if self.options.cloudfront_enabled:
            self.cdn = CloudFrontUrls(
                domain=str(self.options.cloudfront_domain),
                key_pair_id=str(self.options.cloudfront_key_pair_id),
                private_key=self.options.cloudfront_private_key or b"",
            )
        if self.options.cloudfront_distribution_id:
            self.cloudfront = _client("cloudfront", self.options, CLOUDFRONT_CONFIG)

    # Uploads

    def ticket_asks_provider(self, size: int) -> bool:
        # A POST policy is signed here; a multipart upload is created at S3.
        return size > self.options.multipart_threshold

    def create_upload(
        self, ctx: UploadContext, filename: str, size: int, mime: str
    ) -> UploadTicket:
        safe_name = validate_upload(
            filename=filename, size=size, mime=mime, max_size_bytes=ctx.max_size_bytes
        )
        mime = mime.split(";", 1)[0].strip().lower()  # as validate_upload judged it
        key = object_key(ctx, safe_name)
        metadata = {"submission-id": str(ctx.submission_id)}
        if self.ticket_asks_provider(size):
            return self._multipart_ticket(key, size, mime, metadata)
        return self._post_ticket(key, size, mime, metadata)

    def _post_ticket(
        self, key: str, size: int, mime: str, metadata: dict[str, str]
    ) -> UploadTicket:
        expires_at = _in(self.options.ticket_ttl)  # taken first: never later than the policy's
        fields = {
            "Content-Type": mime,
            "success_action_status": "201",  # S3 answers with XML carrying Key and ETag
            **{f"x-amz-meta-{name}": value for name, value in metadata.items()},
        }
        # boto3 adds the bucket and `{"key": key}` (an exact match) to the conditions.
        # The upper bound is the declared size, which validate_upload held against the
        # limit: S3 itself refuses a bigger body; confirm_upload checks the exact size.
        conditions: list[Any] = [{name: value} for name, value in fields.items()]
        conditions.append(["content-length-range", 1, size])
        post = self.bucket.presign_post(
            key, fields=fields, conditions=conditions, expires_in=self.options.ticket_ttl
        )
        return UploadTicket(
            protocol="s3-post",
            url=post["url"],
            upload_ref=key,
            expires_at=expires_at,
            fields=post["fields"],
        )

    def _multipart_ticket(
        self, key: str, size: int, mime: str, metadata: dict[str, str]
    ) -> UploadTicket:
        upload_id = multipart.create(self.bucket, key, mime=mime, metadata=metadata)
        part_size = multipart.part_size_for(size, self.options.part_size)
        return UploadTicket(
            protocol="s3-multipart",
            url=self.bucket.client.meta.endpoint_url,
            upload_ref=key,
            expires_at=_in(self.options.ticket_ttl),
            fields={"uploadId": upload_id, "key": key, "partSize": str(part_size)},
            chunk_size=part_size,
        )

    def confirm_upload(self, upload_ref: str, metadata: dict[str, Any]) -> str:
        head = self.bucket.head(checked_key(upload_ref))
        if head is None:
            raise ProviderError(
                "No upload arrived for this file.", permanent=True, code="upload_missing"
            )
        expected_size = metadata.get("size")
        if expected_size is not None and head["ContentLength"] != int(expected_size):
            raise ProviderError(
                f"The video did not arrive whole ({head['ContentLength']} of {expected_size} "
                "bytes). Please upload it again.",
                permanent=True,
                code="size_mismatch",
            )
        expected_mime = metadata.get("mime")
        if expected_mime and _mime(head) != str(expected_mime).split(";")[0].strip().lower():
            raise ProviderError(
                "The stored file is not of the type that was declared.",
                permanent=True,
                code="type_mismatch",
            )
        return upload_ref

    # Multipart (MultipartUploads)

    def multipart_sign_part(
        self,
        upload_ref: str,
        upload_id: str,
        part_number: int,
        *,
        expected_size: int | None = None,
    ) -> str:
        """A presigned PUT for one part. With the declared `expected_size`, part numbers
        past what that size needs are refused, so a client cannot grow the object."""
        key = checked_key(upload_ref)
        last_part = multipart.MAX_PARTS
        if expected_size is not None:
            last_part = multipart.parts_needed(expected_size, self.options.part_size)
        multipart.check_part_number(part_number, last_part)
        return self.bucket.presign(
            "upload_part", self.options.url_ttl, Key=key, UploadId=upload_id, PartNumber=part_number
        )

    def multipart_sign_request(
        self,
        upload_ref: str,
        upload_id: str,
        operation: MultipartOperation,
        *,
        expected_size: int | None = None,
    ) -> str:
        key = checked_key(upload_ref)
        if operation == "complete" and expected_size is not None:
            # The last check before the object is assembled (confirm_upload checks again).
            multipart.check_parts_total(self.bucket, key, upload_id, expected_size)
        return self.bucket.presign(
            SIGNED_OPERATIONS[operation], self.options.url_ttl, Key=key, UploadId=upload_id
        )

    def multipart_list_parts(self, upload_ref: str, upload_id: str) -> list[UploadedPart]:
        return multipart.list_parts(self.bucket, checked_key(upload_ref), upload_id)

    def multipart_complete(
        self, upload_ref: str, upload_id: str, parts: list[UploadedPart], expected_size: int
    ) -> None:
        key = checked_key(upload_ref)
        last_part = multipart.parts_needed(expected_size, self.options.part_size)
        multipart.complete(self.bucket, key, upload_id, parts, last_part=last_part)
        head = self.bucket.head(key)
        if head is None:
            raise ProviderError(
                "No upload arrived for this file.", permanent=True, code="upload_missing"
            )
        if head["ContentLength"] != expected_size:
            self.bucket.delete(key)  # a wrong object must not become anyone's submission
            raise ProviderError(
                f"The video did not arrive whole ({head['ContentLength']} of {expected_size} "
                "bytes). Please upload it again.",
                permanent=True,
                code="size_mismatch",
            )

    def multipart_abort(self, upload_ref: str, upload_id: str) -> None:
        multipart.abort(self.bucket, checked_key(upload_ref), upload_id)

    # Videos

    def playback(self, video_id: str, viewer: Viewer, expires_in: int) -> Playback:
        key = checked_key(video_id)
        if self.cdn is not None:
            expires_at = _in(expires_in)
            url = self.cdn.signed_url(key, expires_at)
        else:
            expires_in = min(expires_in, SIGV4_MAX_EXPIRY)
            expires_at = _in(expires_in)
            url = self.bucket.presign("get_object", expires_in, Key=key)
        return Playback(kind="mp4", url=url, expires_at=expires_at)

    def delete_video(self, video_id: str) -> None:
        if not _is_our_key(video_id):
            return  # nothing of ours has that name: deleting it is a no-op, like a repeat
        key = checked_key(video_id)
        multipart.abort_all(self.bucket, key)
        self.bucket.delete(key)
        if self.cloudfront is not None:
            invalidate(self.cloudfront, str(self.options.cloudfront_distribution_id), key)

    def video_exists(self, video_id: str) -> bool:
        return _is_our_key(video_id) and self.bucket.head(video_id) is not None

    def get_metadata(self, video_id: str) -> VideoMetadata:
        head = self.bucket.head(checked_key(video_id))
        if head is None:
            raise ProviderError("The video is not in storage.", permanent=True, code="not_found")
        # S3 stores bytes, it does not transcode: an object that is there is playable.
        return VideoMetadata(
            state="ready", ready=True, size_bytes=head["ContentLength"], mime_type=_mime(head)
        )

    def estimate_cost(self, total_bytes: int, total_views: int) -> Decimal:
        return estimate_monthly_cost(total_bytes, total_views)

    def list_objects(self, *, tenant_id: int | None = None) -> Iterator[list[StoredObject]]:
        """ListObjectsV2 under `tenants/` (or one tenant's prefix), page by page; keys we
        did not make (another application's, in a shared bucket) are not ours to list."""
        prefix = "tenants/" if tenant_id is None else f"tenants/{tenant_id}/"
        for page in self.bucket.pages("list_objects_v2", Prefix=prefix, MaxKeys=LIST_PAGE_SIZE):
            yield [
                StoredObject(
                    video_id=item["Key"],
                    size_bytes=item.get("Size"),
                    modified_at=item.get("LastModified"),
                )
                for item in page.get("Contents", [])
                if _is_our_key(item["Key"])
            ]

    def check(self, *, origin: str | None = None) -> list[str]:
        """Problems an administrator must fix (empty when fine): credentials, bucket,
        and CORS for browser uploads from `origin` (any origin, `*`, when not given)."""
        return bucket_problems(self.bucket, self.options.region, origin)


_session: boto3.session.Session | None = None
_session_lock = threading.Lock()


def _client(service: str, options: S3Options, config: Config) -> Any:
    """Clients for every tenant come from one boto3 Session per process: a Session loads
    the service models anew (50-90 ms), a client from a warm one costs ~2.5 ms. The
    credentials are the client's own, so tenants stay apart. Sessions are not
    thread-safe, hence the lock (clients are)."""
    global _session
    with _session_lock:
        if _session is None:
            _session = boto3.session.Session()
        # boto3-stubs types `client` with one overload per literal service name.
        make_client: Callable[..., Any] = _session.client
        return make_client(
            service,
            region_name=options.region,
            endpoint_url=options.endpoint_url,
            aws_access_key_id=options.access_key_id,
            aws_secret_access_key=options.secret_access_key,
            aws_session_token=options.session_token,
            config=config,
        )


def _s3_config(options: S3Options) -> Config:
    """SigV4 always (with a custom endpoint boto3 would otherwise sign POSTs with SigV2).
    Virtual-hosted regional URLs on AWS (`<bucket>.s3.<region>.amazonaws.com`): the global
    name answers a new bucket outside us-east-1 with a redirect that a browser's CORS
    upload cannot follow. Path style for moto/S3-compatible endpoints and dotted names
    (which do not match S3's TLS certificate as a host name)."""
    path_style = options.endpoint_url is not None or "." in options.bucket
    return Config(
        signature_version="s3v4",
        retries=NO_RETRY,
        s3={"addressing_style": "path" if path_style else "virtual"},
        **TIMEOUTS,
    )


def _in(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(time.time()) + seconds, tz=UTC)


def _mime(head: dict[str, Any]) -> str:
    return str(head.get("ContentType", "")).split(";")[0].strip().lower()


def _is_our_key(video_id: str) -> bool:
    """Ids we never made (forged, or from another backend) name no video of ours."""
    try:
        checked_key(video_id)
    except ProviderError:
        return False
    return True
