from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from storage_backends.base import UploadContext
from storage_backends.s3 import S3Backend
from storage_backends.s3 import errors as s3_errors
from tests.fakes.s3 import MotoServer, backend_options

CLOUDFRONT_DOMAIN = "https://d111111abcdef8.cloudfront.net"
KEY_PAIR_ID = "K2JCJMDEHXQW5F"
MiB = 1024**2


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same attempts as production, without the seconds of backoff between them."""
    monkeypatch.setattr(s3_errors, "RETRY_INITIAL_WAIT", 0.0)
    monkeypatch.setattr(s3_errors, "RETRY_MAX_WAIT", 0.0)


@pytest.fixture
def upload_ctx() -> UploadContext:
    return UploadContext(
        tenant_id=7, assignment_id=42, user_id=1001, submission_id=555, max_size_bytes=50 * MiB
    )


@pytest.fixture
def s3_options(s3_server: MotoServer, s3_bucket: str) -> dict[str, Any]:
    """Multipart from 6 MiB with AWS's smallest parts (5 MiB), so three parts stay quick."""
    return backend_options(s3_server.url, s3_bucket, multipart_threshold=6 * MiB, part_size=5 * MiB)


@pytest.fixture
def s3_backend(s3_options: dict[str, Any]) -> S3Backend:
    """No CloudFront: playback falls back to presigned S3 GETs (development)."""
    return S3Backend(**s3_options)


@pytest.fixture
def cdn_backend(
    s3_options: dict[str, Any],
    cloudfront_key_pair: tuple[bytes, rsa.RSAPublicKey],
    cloudfront_distribution: str,
) -> S3Backend:
    pem, _public = cloudfront_key_pair
    return S3Backend(
        **s3_options,
        cloudfront_domain=CLOUDFRONT_DOMAIN,
        cloudfront_key_pair_id=KEY_PAIR_ID,
        cloudfront_private_key=pem.decode(),
        cloudfront_distribution_id=cloudfront_distribution,
    )


@pytest.fixture
def cloudfront_public_key(
    cloudfront_key_pair: tuple[bytes, rsa.RSAPublicKey],
) -> rsa.RSAPublicKey:
    return cloudfront_key_pair[1]
