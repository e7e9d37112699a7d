"""What a log line must never carry is redacted, wherever it appears in the event."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.core import signing

from config.logs import REDACTED, logging_config, redact

LOCAL_PLAYBACK = (
    "/storage/local/play/t1-abc?expires=1790000000&signature=9f86d081884c7d659a2feaa0c55ad015"
)
S3_PRESIGNED = (
    "https://bucket.s3.amazonaws.com/t1/v.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20261129%2Fus-east-1&X-Amz-Signature=abcdef0123456789"
    "&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE"
)
CLOUDFRONT = (
    "https://d1.cloudfront.net/v.mp4?Expires=1790000000&Signature=Zm9vYmFy~&Key-Pair-Id=K2EXAMPLE"
)
REGISTRATION = (
    "/lti/register/?openid_configuration=https%3A%2F%2Flms%2F&registration_token=reg-SECRET-123"
)
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdHVkZW50In0.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        (LOCAL_PLAYBACK, ["9f86d081884c7d659a2feaa0c55ad015"]),
        (S3_PRESIGNED, ["abcdef0123456789", "AKIAEXAMPLE", "FQoGZXIvYXdzEXAMPLE"]),
        (CLOUDFRONT, ["Zm9vYmFy~", "K2EXAMPLE"]),
        (REGISTRATION, ["reg-SECRET-123"]),
        (f"Authorization: Bearer {JWT}", [JWT, "c2lnbmF0dXJlLWJ5dGVz"]),
        (f"id_token={JWT}", [JWT]),
        (f"stream token {JWT} issued", [JWT]),
    ],
)
def test_secrets_are_redacted_and_the_rest_kept(text: str, secrets: list[str]) -> None:
    cleaned = redact(text)
    for secret in secrets:
        assert secret not in cleaned
    assert REDACTED in cleaned
    if "?" in text:
        assert cleaned.split("?")[0] == text.split("?")[0]  # the path stays readable


def test_django_signed_tokens_are_redacted() -> None:
    """Launch tokens and local upload tickets are Django signed values (compressed or not)."""
    compressed = signing.dumps({"tenant": 1, "user": 2} | {"x": "y" * 80}, compress=True)
    plain = signing.dumps({"tenant": 1})
    for token in (compressed, plain):
        assert token not in redact(f"launch token {token} used")


def _render(**fields: Any) -> dict[str, Any]:
    """One record through the production formatter, parsed back."""
    options = dict(logging_config("INFO", json=True)["formatters"]["structured"])
    formatter = options.pop("()")(**options)  # structlog's ProcessorFormatter, as configured
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("played %s", LOCAL_PLAYBACK, extra=fields)
    finally:
        logger.removeHandler(handler)
    return json.loads(stream.getvalue())


def test_a_log_line_is_one_json_object_with_secret_fields_redacted() -> None:
    class Request:
        def __repr__(self) -> str:
            return f"<WSGIRequest: GET '{REGISTRATION}'>"

    line = _render(
        upload_ticket="t-123-secret",
        headers={"Authorization": "Bearer abc"},
        request=Request(),
        size=42,
    )
    assert line["level"] == "warning"
    assert line["logger"] == "tests.redaction"
    assert "9f86d081884c7d659a2feaa0c55ad015" not in line["event"]
    assert line["upload_ticket"] == REDACTED
    assert line["headers"] == {"Authorization": REDACTED}
    assert "reg-SECRET-123" not in line["request"]
    assert line["size"] == 42
