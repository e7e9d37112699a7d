"""The S3 backend's options, checked once when the backend is built.

Like django-storages: keyword options only; an unknown one is a TypeError (the registry
turns it into ImproperlyConfigured) and a half-set pair is ImproperlyConfigured here, at
start, rather than at the first student's upload.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

MiB = 1024**2
GiB = 1024**3
S3_MIN_PART = 5 * MiB  # every part but the last must be at least this (AWS)
S3_MAX_PART = 5 * GiB
S3_MAX_SINGLE_UPLOAD = 5 * GiB  # a POST/PUT object; above this, multipart only
SIGV4_MAX_EXPIRY = 7 * 24 * 3600  # presigned SigV4 URLs cannot live longer


@dataclass(frozen=True, kw_only=True)
class S3Options:
    bucket: str
    region: str
    access_key_id: str | None = None  # None: boto3's default chain (instance role, env)
    secret_access_key: str | None = None
    session_token: str | None = None
    endpoint_url: str | None = None  # moto or another S3-compatible endpoint
    cloudfront_domain: str | None = None  # "https://d123.cloudfront.net"
    cloudfront_key_pair_id: str | None = None
    cloudfront_private_key: str | bytes | None = None  # PEM
    cloudfront_distribution_id: str | None = None  # for invalidation on delete
    multipart_threshold: int = 100 * 1000**2
    part_size: int = 10 * MiB
    ticket_ttl: int = 3600  # lifetime of a presigned POST
    url_ttl: int = 900  # lifetime of one presigned part URL (asked for just before the PUT)

    def __post_init__(self) -> None:
        if not self.bucket or not self.region:
            raise ImproperlyConfigured("S3 storage needs a bucket and a region.")
        self._check_pairs()
        self._check_numbers()

    def _check_pairs(self) -> None:
        if bool(self.access_key_id) != bool(self.secret_access_key):
            raise ImproperlyConfigured(
                "S3 storage: set both access_key_id and secret_access_key, or neither "
                "(to use the instance's role)."
            )
        if self.session_token and not self.access_key_id:
            raise ImproperlyConfigured("S3 storage: session_token needs access_key_id.")
        signing = (self.cloudfront_domain, self.cloudfront_key_pair_id,
                   self.cloudfront_private_key)
        if any(signing) and not all(signing):
            # A domain without a key would hand out unsigned (public) links to private
            # videos; a key without a domain has nothing to sign.
            raise ImproperlyConfigured(
                "S3 storage: cloudfront_domain, cloudfront_key_pair_id and "
                "cloudfront_private_key go together; set all three or none."
            )
        if self.cloudfront_distribution_id and not self.cloudfront_domain:
            raise ImproperlyConfigured(
                "S3 storage: cloudfront_distribution_id needs the CloudFront signing options."
            )

    def _check_numbers(self) -> None:
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
