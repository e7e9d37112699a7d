"""Small files: a presigned POST the browser sends straight to S3, then confirm, play, delete."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from storage_backends.base import (
    UploadContext,
    UploadRejected,
    Viewer,
)
from storage_backends.errors import ProviderError
from storage_backends.s3 import S3Backend
from tests.fakes.s3 import (
    REGION,
    SECRET_ACCESS_KEY,
    MotoServer,
    invalidations,
    upload_with_ticket,
)

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return policy


def _sigv4_signature(secret: str, date: str, region: str, string_to_sign: str) -> str:
    key = ("AWS4" + secret).encode()
    for part in (date, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def test_post_ticket_pins_key_type_and_size(
    s3_backend: S3Backend, upload_ctx: UploadContext, s3_bucket: str
) -> None:
    before = time.time()
    ticket = s3_backend.create_upload(upload_ctx, "My talk (final).MP4", len(VIDEO), "video/mp4")

    assert ticket.protocol == "s3-post"
    assert ticket.upload_ref.startswith("tenants/7/assignments/42/users/1001/")
    assert ticket.upload_ref.endswith("/My-talk-final.mp4")
    assert ticket.fields["key"] == ticket.upload_ref
    assert ticket.fields["Content-Type"] == "video/mp4"
    policy = _policy(ticket.fields)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, len(VIDEO)] in conditions
    assert {"Content-Type": "video/mp4"} in conditions
    assert {"key": ticket.upload_ref} in conditions
    assert {"bucket": s3_bucket} in conditions
    assert {"x-amz-meta-submission-id": "555"} in conditions
    expiration = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before + 3600 - 5 <= expiration.timestamp() <= time.time() + 3600 + 1
    assert ticket.expires_at <= expiration  # we never promise longer than S3 allows


def test_post_policy_signature_is_sigv4_over_the_policy(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    fields = s3_backend.create_upload(upload_ctx, "clip.webm", 1000, "video/webm").fields

    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    access_key, date, region, service, terminator = fields["x-amz-credential"].split("/")
    assert (region, service, terminator) == (REGION, "s3", "aws4_request")
    assert fields["x-amz-date"].startswith(date)
    expected = _sigv4_signature(SECRET_ACCESS_KEY, date, region, fields["policy"])
    assert hmac.compare_digest(fields["x-amz-signature"], expected)
    assert {"x-amz-credential": fields["x-amz-credential"]} in _policy(fields)["conditions"]


def test_upload_confirm_play_delete(
    cdn_backend: S3Backend,
    upload_ctx: UploadContext,
    s3_server: MotoServer,
    cloudfront_distribution: str,
) -> None:
    ticket = cdn_backend.create_upload(upload_ctx, "talk.mp4", len(VIDEO), "video/mp4")
    answer = upload_with_ticket(ticket, VIDEO)
    assert answer.status_code == 201, answer.text

    video_id = cdn_backend.confirm_upload(
        ticket.upload_ref, {"size": len(VIDEO), "mime": "video/mp4"}
    )
    assert video_id == ticket.upload_ref
    assert cdn_backend.video_exists(video_id)
    metadata = cdn_backend.get_metadata(video_id)
    assert (metadata.state, metadata.ready) == ("ready", True)
    assert (metadata.size_bytes, metadata.mime_type) == (len(VIDEO), "video/mp4")
    assert metadata.duration_seconds is None
    playback = cdn_backend.playback(video_id, Viewer(user_id=1001), expires_in=300)
    assert playback.kind == "mp4"
    assert playback.url.startswith(f"https://d111111abcdef8.cloudfront.net/{video_id}?Expires=")

    cdn_backend.delete_video(video_id)
    assert not cdn_backend.video_exists(video_id)
    cdn_backend.delete_video(video_id)  # twice is fine

    batches = [
        item["InvalidationBatch"] for item in invalidations(s3_server, cloudfront_distribution)
    ]
    assert batches and all(batch["Paths"]["Items"] == [f"/{video_id}"] for batch in batches)
    # The retry asked for the same invalidation (CloudFront dedupes on the reference;
    # moto records both).
    assert len({batch["CallerReference"] for batch in batches}) == 1


def test_without_cloudfront_playback_is_a_presigned_s3_get(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    ticket = s3_backend.create_upload(upload_ctx, "talk.mp4", len(VIDEO), "video/mp4")
    upload_with_ticket(ticket, VIDEO).raise_for_status()
    video_id = s3_backend.confirm_upload(ticket.upload_ref, {"size": len(VIDEO)})

    playback = s3_backend.playback(video_id, Viewer(user_id=1), expires_in=120)

    assert "X-Amz-Signature=" in playback.url and "X-Amz-Expires=120" in playback.url
    assert 115 <= playback.expires_at.timestamp() - time.time() <= 121
    ranged = requests.get(playback.url, headers={"Range": "bytes=0-11"}, timeout=5)
    assert ranged.status_code == 206 and ranged.content == VIDEO[:12]


def test_confirm_refuses_a_wrong_size_or_type(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    ticket = s3_backend.create_upload(upload_ctx, "talk.mp4", len(VIDEO), "video/mp4")
    upload_with_ticket(ticket, VIDEO[:-10]).raise_for_status()  # moto ignores the policy

    with pytest.raises(ProviderError) as wrong_size:
        s3_backend.confirm_upload(ticket.upload_ref, {"size": len(VIDEO)})
    assert wrong_size.value.permanent and wrong_size.value.code == "size_mismatch"
    with pytest.raises(ProviderError) as wrong_type:
        s3_backend.confirm_upload(ticket.upload_ref, {"mime": "video/webm"})
    assert wrong_type.value.code == "type_mismatch"


def test_confirm_without_upload_is_upload_missing(
    s3_backend: S3Backend, upload_ctx: UploadContext
) -> None:
    ticket = s3_backend.create_upload(upload_ctx, "talk.mp4", 100, "video/mp4")

    with pytest.raises(ProviderError) as missing:
        s3_backend.confirm_upload(ticket.upload_ref, {"size": 100})
    assert missing.value.permanent and missing.value.code == "upload_missing"
    with pytest.raises(ProviderError) as gone:
        s3_backend.get_metadata(ticket.upload_ref)
    assert gone.value.code == "not_found"


def test_validation_comes_before_storage(s3_backend: S3Backend, upload_ctx: UploadContext) -> None:
    with pytest.raises(UploadRejected) as not_video:
        s3_backend.create_upload(upload_ctx, "notes.pdf", 100, "application/pdf")
    assert not_video.value.code == "unsupported_type"
    with pytest.raises(UploadRejected) as too_big:
        s3_backend.create_upload(upload_ctx, "talk.mp4", upload_ctx.max_size_bytes + 1, "video/mp4")
    assert too_big.value.code == "file_too_large"


@pytest.mark.parametrize(
    "reference",
    [
        "../../other-bucket-object",
        "tenants/7/assignments/42/users/1001/x/talk.mp4",
        "tenants/7/assignments/42/users/1001/" + "a" * 32 + "/../secret.mp4",
        "",
    ],
)
def test_references_we_did_not_make_are_refused(s3_backend: S3Backend, reference: str) -> None:
    """They name nothing of ours: no such video, nothing to delete, nothing to confirm."""
    assert s3_backend.video_exists(reference) is False
    s3_backend.delete_video(reference)  # a no-op, like deleting twice
    for call in (s3_backend.get_metadata, lambda ref: s3_backend.confirm_upload(ref, {})):
        with pytest.raises(ProviderError) as refused:
            call(reference)
        assert refused.value.code == "invalid_reference"
