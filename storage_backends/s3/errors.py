"""botocore failures -> `ProviderError`, and the one wrapper every S3/CloudFront call goes through.

The boto3 client is built with botocore's own retries off (`max_attempts=1`): retrying is
ours (`call_with_retry`), so a transient failure is retried the same way for every
provider, and a permanent one (a 4xx: wrong key, no access, bad request) fails at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from storage_backends.errors import ProviderError
from storage_backends.retry import TransientHTTPError, call_with_retry

T = TypeVar("T")

# Module-level so tests can shorten the waits; production keeps retry.py's defaults.
RETRY_ATTEMPTS = 3
RETRY_INITIAL_WAIT = 1.0
RETRY_MAX_WAIT = 30.0

# Codes AWS sends with a 4xx (or 200 + error body) that still mean "try again later".
TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestThrottled",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
    }
)
NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchUpload", "NoSuchBucket"})
ACCESS_CODES = frozenset(
    {
        "403",
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "AllAccessDisabled",
    }
)


class S3Error(ProviderError):
    """A permanent S3/CloudFront failure; keeps AWS's code so callers can tell 404 from 403."""

    def __init__(self, message: str, *, code: str, aws_code: str, status: int | None) -> None:
        super().__init__(message, permanent=True, code=code)
        self.aws_code = aws_code
        self.status = status

    @property
    def not_found(self) -> bool:
        return self.aws_code in NOT_FOUND_CODES or self.status == 404


def translate(exc: Exception, what: str) -> ProviderError:
    """Classify one botocore failure; `what` names the operation for logs and admins."""
    if isinstance(exc, ClientError):
        return _from_client_error(exc, what)
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        # Timeouts, refused or dropped connections: the request may not have run at all.
        return TransientHTTPError(f"S3 {what}: cannot reach the storage service ({exc}).")
    return ProviderError(f"S3 {what}: {exc}", permanent=True, code="storage_misconfigured")


def _from_client_error(exc: ClientError, what: str) -> ProviderError:
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    aws_code = str(error.get("Code") or meta.get("HTTPStatusCode") or "Unknown")
    status = meta.get("HTTPStatusCode")
    detail = f"S3 {what} failed: {aws_code} (HTTP {status}). {error.get('Message', '')}".strip()
    if aws_code in TRANSIENT_CODES or (status is not None and (status == 429 or status >= 500)):
        retry_after = meta.get("HTTPHeaders", {}).get("retry-after")
        return TransientHTTPError(detail, retry_after=_seconds(retry_after))
    if aws_code in NOT_FOUND_CODES or status == 404:
        code = "not_found"
    elif aws_code in ACCESS_CODES or status == 403:
        code = "access_denied"
    else:
        code = "provider_error"
    return S3Error(detail, code=code, aws_code=aws_code, status=status)


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def aws_call(func: Callable[..., T], what: str, **kwargs: Any) -> T:
    """Call one boto3 operation with our retry; failures come out as ProviderError."""

    def attempt() -> T:
        try:
            return func(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, what) from exc

    return call_with_retry(
        attempt, attempts=RETRY_ATTEMPTS, initial_wait=RETRY_INITIAL_WAIT, max_wait=RETRY_MAX_WAIT
    )
