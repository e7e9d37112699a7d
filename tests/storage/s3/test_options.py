"""Bad configuration fails when the backend is built, not at a student's first upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from storage_backends.registry import load_backend
from storage_backends.s3 import S3Backend

CONFIG = "storage_backends.s3.S3Backend"


def test_registry_builds_the_backend(s3_options: dict[str, Any]) -> None:
    backend = load_backend({"BACKEND": CONFIG, "OPTIONS": s3_options})

    assert isinstance(backend, S3Backend) and backend.name == "s3"


def test_unknown_option_is_improperly_configured(s3_options: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured, match="bukket"):
        load_backend({"BACKEND": CONFIG, "OPTIONS": {**s3_options, "bukket": "x"}})
    with pytest.raises(ImproperlyConfigured, match="bucket"):
        load_backend({"BACKEND": CONFIG, "OPTIONS": {"region": "eu-west-1"}})


@pytest.mark.parametrize(
    "change",
    [
        {"cloudfront_key_pair_id": "K1"},  # no private key, no domain
        {"cloudfront_domain": "d1.cloudfront.net"},  # unsigned links to private videos
        {"cloudfront_domain": "d1.cloudfront.net", "cloudfront_private_key": "pem"},
        {"cloudfront_distribution_id": "E1"},
        {"secret_access_key": None},
        {"access_key_id": None},
        {"access_key_id": None, "secret_access_key": None, "session_token": "t"},
        {"part_size": 1024**2},  # S3 refuses parts under 5 MiB
        {"multipart_threshold": 6 * 1024**3},  # a single POST stops at 5 GiB
        {"ticket_ttl": 8 * 24 * 3600},  # SigV4 URLs live 7 days at most
        {"bucket": ""},
    ],
)
def test_half_set_or_impossible_options(s3_options: dict[str, Any], change: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured):
        S3Backend(**{**s3_options, **change})


def test_a_bad_private_key_fails_at_start(s3_options: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured, match="PEM"):
        S3Backend(
            **s3_options,
            cloudfront_domain="d1.cloudfront.net",
            cloudfront_key_pair_id="K1",
            cloudfront_private_key="not a key",
        )


def test_instance_role_credentials_are_allowed(s3_options: dict[str, Any]) -> None:
    options = {**s3_options, "access_key_id": None, "secret_access_key": None}
    assert S3Backend(**options).options.access_key_id is None
