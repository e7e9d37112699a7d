"""`check()`: what the administrator sees before saving a tenant's S3 configuration."""

from __future__ import annotations

from typing import Any

from storage_backends.s3 import S3Backend
from storage_backends.s3.checks import cors_problems
from tests.fakes.s3 import CORS_RULES, MotoServer, backend_options, create_bucket


def test_a_correct_bucket_has_no_problems(s3_backend: S3Backend) -> None:
    assert s3_backend.check() == []
    assert s3_backend.check(origin="https://tool.example.edu") == []


def test_missing_cors_is_reported(s3_server: MotoServer) -> None:
    bucket = create_bucket(s3_server, cors=False)

    [problem] = S3Backend(**backend_options(s3_server.url, bucket)).check()

    assert "no CORS configuration" in problem and '"ExposeHeaders": ["ETag"]' in problem


def test_cors_without_etag_or_put_is_reported(s3_server: MotoServer) -> None:
    bucket = create_bucket(s3_server, cors=False)
    rules = [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "POST"], "AllowedHeaders": ["*"]}]
    s3_server.client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})

    problems = S3Backend(**backend_options(s3_server.url, bucket)).check()

    assert len(problems) == 2
    assert "must allow PUT" in problems[0] and "expose the ETag" in problems[1]


def test_missing_bucket_is_reported(s3_server: MotoServer) -> None:
    [problem] = S3Backend(**backend_options(s3_server.url, "no-such-videos")).check()

    assert problem.startswith("The bucket “no-such-videos” does not exist")


def test_bad_credentials_are_reported(s3_server: MotoServer, s3_options: dict[str, Any]) -> None:
    backend = S3Backend(**{**s3_options, "access_key_id": "AKIDUNKNOWN"})

    with s3_server.enforcing_credentials():
        [problem] = backend.check()

    assert "access key id" in problem


def test_cors_rules_are_judged_for_the_tools_origin() -> None:
    only_ours = [{**CORS_RULES[0], "AllowedOrigins": ["https://*.example.edu"]}]

    assert cors_problems(only_ours, "https://tool.example.edu") == []
    assert (
        "do not allow uploads from https://evil.test"
        in cors_problems(only_ours, "https://evil.test")[0]
    )
    assert "any origin (*)" in cors_problems(only_ours, None)[0]
    headers = [{**CORS_RULES[0], "AllowedHeaders": ["content-type"]}]
    assert 'AllowedHeaders ["*"]' in cors_problems(headers, None)[0]
