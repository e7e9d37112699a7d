"""`S3Backend.check()`: what an administrator must fix before students can upload.

Run before a tenant's storage configuration is saved, so each problem is one sentence
that says what to change in AWS, not a stack trace.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from storage_backends.errors import ProviderError
from storage_backends.s3.bucket import S3Bucket
from storage_backends.s3.errors import S3Error

NEEDED_METHODS = ("PUT", "POST")  # presigned POST, and multipart part uploads
CORS_EXAMPLE = (
    '[{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT", "POST", "HEAD"], '
    '"AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"]}]'
)
# s3:ListBucket makes a missing object a 404 rather than a 403 (video_exists needs that).
PERMISSIONS = (
    "s3:ListBucket, s3:ListBucketMultipartUploads and s3:GetBucketCORS on the bucket; "
    "s3:PutObject, s3:GetObject, s3:DeleteObject, s3:AbortMultipartUpload and "
    "s3:ListMultipartUploadParts on its objects; cloudfront:CreateInvalidation on the "
    "distribution"
)


def bucket_problems(bucket: S3Bucket, region: str, origin: str | None) -> list[str]:
    """Credentials, bucket and CORS, learnt from one GetBucketCors call (it fails with a
    code that tells them apart, where HeadBucket only gives a bare 403/404)."""
    try:
        rules = bucket.call("get_bucket_cors").get("CORSRules", [])
    except S3Error as exc:
        return [_access_problem(exc, bucket.name, region)]
    except ProviderError as exc:
        return [f"S3 cannot be reached: {exc.message}"]
    return cors_problems(rules, origin)


def _access_problem(exc: S3Error, bucket: str, region: str) -> str:
    code = exc.aws_code
    if code == "NoSuchCORSConfiguration":
        return (
            f"The bucket “{bucket}” has no CORS configuration, so browsers cannot upload "
            f"to it. Add: {CORS_EXAMPLE}"
        )
    if code == "NoSuchBucket" or (exc.status == 404 and code == "404"):
        return f"The bucket “{bucket}” does not exist (region {region})."
    if code == "InvalidAccessKeyId":
        return "AWS does not know this access key id: check access_key_id."
    if code == "SignatureDoesNotMatch":
        return "The secret access key does not match the access key id."
    if code in {"ExpiredToken", "InvalidToken"}:
        return "The session token is expired or invalid."
    if code in {"PermanentRedirect", "AuthorizationHeaderMalformed", "301"}:
        return f"The bucket “{bucket}” is not in region {region}: check the region."
    if code == "AccessDenied" or exc.status == 403:
        return f"AWS refused access to the bucket “{bucket}”. The credentials need {PERMISSIONS}."
    return f"S3 answered an unexpected error: {exc.message}"


def cors_problems(rules: list[dict[str, Any]], origin: str | None) -> list[str]:
    """The union of the rules that match the tool's origin (or `*` when it is not given)
    must allow PUT and POST with any header and expose ETag (multipart needs each part's
    ETag, which a browser script can only read when it is exposed)."""
    where = origin or "any origin (*)"
    matching = [rule for rule in rules if _origin_allowed(rule.get("AllowedOrigins", []), origin)]
    if not matching:
        return [f"The bucket's CORS rules do not allow uploads from {where}. Add: {CORS_EXAMPLE}"]
    problems = []
    methods = {method.upper() for rule in matching for method in rule.get("AllowedMethods", [])}
    missing = [method for method in NEEDED_METHODS if method not in methods]
    if missing:
        problems.append(f"The bucket's CORS rules must allow {' and '.join(missing)} from {where}.")
    if not any("*" in rule.get("AllowedHeaders", []) for rule in matching):
        problems.append('The bucket\'s CORS rules must allow any header: AllowedHeaders ["*"].')
    exposed = {header.lower() for rule in matching for header in rule.get("ExposeHeaders", [])}
    if "etag" not in exposed:
        problems.append(
            "The bucket's CORS rules must expose the ETag header: "
            'ExposeHeaders ["ETag"] (large uploads cannot finish without it).'
        )
    return problems


def _origin_allowed(allowed: list[str], origin: str | None) -> bool:
    if origin is None:
        return "*" in allowed
    # S3 allows one "*" wildcard in an origin ("https://*.example.edu").
    return any(fnmatchcase(origin, pattern) for pattern in allowed)
