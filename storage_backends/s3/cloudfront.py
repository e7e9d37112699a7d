"""CloudFront: signed URLs and cookies for private videos, and invalidation on delete.

The private key is parsed once, when the backend is built (parsing a PEM costs ~26 ms;
signing with the loaded key ~0.2 ms), and kept for the life of the process.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any
from urllib.parse import quote

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.exceptions import ImproperlyConfigured

from storage_backends.errors import CDN_COPY_LEFT, ProviderError
from storage_backends.s3.errors import S3Error, aws_call


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "S3 storage: cloudfront_private_key is not an unencrypted PEM private key."
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("S3 storage: cloudfront_private_key must be an RSA key.")
    return key


def base_url(domain: str) -> str:
    """Accept "d123.cloudfront.net" or a full "https://..." origin; no trailing slash."""
    domain = domain.rstrip("/")
    return domain if "://" in domain else f"https://{domain}"


class CloudFrontUrls:
    """Signs viewer URLs (canned policy) and cookies (custom policy) with one key pair."""

    def __init__(self, *, domain: str, key_pair_id: str, private_key: str | bytes) -> None:
        self.base_url = base_url(domain)
        self.key_pair_id = key_pair_id
        self._key = load_private_key(private_key)
        self._signer = CloudFrontSigner(key_pair_id, self._rsa_sign)

    def _rsa_sign(self, message: bytes) -> bytes:
        # CloudFront's default signature: RSA PKCS#1 v1.5 over SHA-1 (no Hash-Algorithm
        # parameter needed, so every distribution accepts it).
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303

    def url_for(self, key: str) -> str:
        return f"{self.base_url}/{quote(key)}"

    def signed_url(self, key: str, expires_at: datetime) -> str:
        """A canned-policy URL for one object: short, and enough for a single MP4."""
        return str(
            self._signer.generate_presigned_url(self.url_for(key), date_less_than=expires_at)
        )

    def signed_cookies(self, resource: str, expires_at: datetime) -> dict[str, str]:
        """Cookies for a custom policy, e.g. `<base>/<folder>/*` for HLS segments, which
        the player fetches by relative URL without a query signature."""
        policy = self._signer.build_policy(resource, expires_at).encode()
        return {
            "CloudFront-Policy": cloudfront_b64(policy),
            "CloudFront-Signature": cloudfront_b64(self._rsa_sign(policy)),
            "CloudFront-Key-Pair-Id": self.key_pair_id,
        }


def cloudfront_b64(data: bytes) -> str:
    """CloudFront's URL-safe base64: `+` -> `-`, `=` -> `_`, `/` -> `~`."""
    return base64.b64encode(data).decode().translate(str.maketrans("+=/", "-_~"))


def invalidation_path(key: str) -> str:
    return "/" + quote(key)


def caller_reference(key: str) -> str:
    """Derived from the key, so a retried delete asks for the same invalidation and
    CloudFront answers with the existing one instead of billing a second path."""
    return "delete-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def invalidate(client: Any, distribution_id: str, key: str) -> None:
    batch = {
        "CallerReference": caller_reference(key),
        "Paths": {"Quantity": 1, "Items": [invalidation_path(key)]},
    }
    try:
        aws_call(
            client.create_invalidation,
            "CreateInvalidation",
            DistributionId=distribution_id,
            InvalidationBatch=batch,
        )
    except S3Error as exc:
        if exc.aws_code == "InvalidationBatchAlreadyExists":
            return  # same reference, already asked: the retry has nothing left to do
        raise ProviderError(exc.message, permanent=True, code=CDN_COPY_LEFT) from exc
