"""The S3 backend's options, declared once (storage_backends/options.py checks them).

A half-set pair (an access key id without its secret, a CloudFront domain without its
signing key) or an unknown option is ImproperlyConfigured when the backend is built,
not at the first student's upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured

from storage_backends.options import BackendOptions, option

MiB = 1024**2
GiB = 1024**3
S3_MIN_PART = 5 * MiB  # every part but the last must be at least this (AWS)
S3_MAX_PART = 5 * GiB
S3_MAX_SINGLE_UPLOAD = 5 * GiB  # a POST/PUT object; above this, multipart only
SIGV4_MAX_EXPIRY = 7 * 24 * 3600  # presigned SigV4 URLs cannot live longer


@dataclass(frozen=True, kw_only=True)
class S3Options(BackendOptions):
    provider: ClassVar[str] = "S3 storage"
    secret_options: ClassVar[frozenset[str]] = frozenset(
        {"secret_access_key", "session_token", "cloudfront_private_key"}
    )
    # A domain without a key would hand out unsigned (public) links to private videos;
    # a key without a domain has nothing to sign.
    together: ClassVar[tuple[tuple[str, ...], ...]] = (
        ("access_key_id", "secret_access_key"),
        ("cloudfront_domain", "cloudfront_key_pair_id", "cloudfront_private_key"),
    )

    bucket: str = option(label="Bucket")
    region: str = option(label="Region", help_text="For example eu-west-1.")
    access_key_id: str | None = option(
        None, label="Access key id", help_text="Blank: the instance's role (boto3's chain)."
    )
    secret_access_key: str | None = option(None, label="Secret access key")
    session_token: str | None = option(None, label="Session token")
    endpoint_url: str | None = option(
        None, label="Endpoint URL", help_text="Only for another S3-compatible service."
    )
    cloudfront_domain: str | None = option(
        None, label="CloudFront domain", help_text="https://d123.cloudfront.net"
    )
    cloudfront_key_pair_id: str | None = option(None, label="CloudFront key pair id")
    cloudfront_private_key: str | bytes | None = option(
        None, label="CloudFront private key (PEM)", multiline=True
    )
    cloudfront_distribution_id: str | None = option(
        None, label="CloudFront distribution id", help_text="To invalidate deleted videos."
    )
    multipart_threshold: int = option(100 * 1000**2, label="Multipart above (bytes)")
    part_size: int = option(10 * MiB, label="Part size (bytes)")
    ticket_ttl: int = option(3600, label="Upload ticket lifetime (s)")
    url_ttl: int = option(900, label="Part URL lifetime (s)")

    def check(self) -> None:
        if self.session_token and not self.access_key_id:
            raise ImproperlyConfigured("S3 storage: session_token needs access_key_id.")
        if self.cloudfront_distribution_id and not self.cloudfront_domain:
            raise ImproperlyConfigured(
                "S3 storage: cloudfront_distribution_id needs the CloudFront signing options."
            )
        if not S3_MIN_PART <= self.part_size <= S3_MAX_PART:
            raise ImproperlyConfigured("S3 storage: part_size must be between 5 MiB and 5 GiB.")
        if not 0 < self.multipart_threshold <= S3_MAX_SINGLE_UPLOAD:
            raise ImproperlyConfigured(
                "S3 storage: multipart_threshold must be above 0 and at most 5 GiB."
            )
        for name in ("ticket_ttl", "url_ttl"):
            if not 0 < getattr(self, name) <= SIGV4_MAX_EXPIRY:
                raise ImproperlyConfigured(f"S3 storage: {name} must be 1 s to 7 days.")

    @property
    def cloudfront_enabled(self) -> bool:
        return bool(self.cloudfront_domain)
