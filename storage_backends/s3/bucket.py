"""One bucket behind one boto3 client: every call goes through `aws_call` (our retry,
our errors), so the backend's code reads as S3 operations and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError

from storage_backends.errors import ProviderError
from storage_backends.s3.errors import S3Error, aws_call, translate


@dataclass(frozen=True)
class S3Bucket:
    client: Any  # botocore's generated client class has no static type
    name: str

    def call(self, operation: str, **kwargs: Any) -> Any:
        """`call("head_object", Key=k)` -> HeadObject on this bucket, retried if transient."""
        what = "".join(word.title() for word in operation.split("_"))
        return aws_call(getattr(self.client, operation), what, Bucket=self.name, **kwargs)

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's headers, or None when it is not there."""
        try:
            return dict(self.call("head_object", Key=key))
        except S3Error as exc:
            if exc.not_found:
                return None
            raise

    def pages(self, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """A listing's pages (ListObjectsV2 continuation tokens), one request each, each
        retried like any call: only one page is ever held."""
        token: str | None = None
        while True:
            page = dict(
                self.call(operation, **kwargs, **({"ContinuationToken": token} if token else {}))
            )
            yield page
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def delete(self, key: str) -> None:
        self.call("delete_object", Key=key)  # S3 answers 204 for a missing key too

    def presign(self, operation: str, expires_in: int, **params: Any) -> str:
        """A presigned URL (computed locally: nothing to retry)."""
        try:
            return str(
                self.client.generate_presigned_url(
                    operation, Params={"Bucket": self.name, **params}, ExpiresIn=expires_in
                )
            )
        except (BotoCoreError, ValueError) as exc:
            raise _local_failure(exc, operation) from exc

    def presign_post(
        self, key: str, *, fields: dict[str, str], conditions: list[Any], expires_in: int
    ) -> dict[str, Any]:
        try:
            return dict(
                self.client.generate_presigned_post(
                    self.name, key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
                )
            )
        except (BotoCoreError, ValueError) as exc:
            raise _local_failure(exc, "presigned POST") from exc


def _local_failure(exc: Exception, what: str) -> ProviderError:
    error = translate(exc, what)
    # Signing never talks to AWS: a failure here is missing credentials or bad config.
    return ProviderError(error.message, permanent=True, code="storage_misconfigured")
