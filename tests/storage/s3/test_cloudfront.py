"""CloudFront playback links, checked the way CloudFront checks them: with the public key."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from storage_backends.base import UploadContext, Viewer
from storage_backends.s3 import S3Backend
from storage_backends.s3.cloudfront import CloudFrontUrls, caller_reference
from tests.storage.s3.conftest import CLOUDFRONT_DOMAIN, KEY_PAIR_ID

CANNED = '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}'


def _unb64(value: str) -> bytes:
    return base64.b64decode(value.translate(str.maketrans("-_~", "+=/")))


def _verify(public_key: rsa.RSAPublicKey, signature: str, message: bytes) -> None:
    public_key.verify(_unb64(signature), message, padding.PKCS1v15(), hashes.SHA1())


def _video_id(backend: S3Backend, ctx: UploadContext) -> str:
    return backend.create_upload(ctx, "talk.mp4", 1000, "video/mp4").upload_ref


def test_signed_url_verifies_with_the_public_key_and_expires(
    cdn_backend: S3Backend, upload_ctx: UploadContext, cloudfront_public_key: rsa.RSAPublicKey
) -> None:
    video_id = _video_id(cdn_backend, upload_ctx)

    playback = cdn_backend.playback(video_id, Viewer(user_id=1001), expires_in=600)

    parts = urlsplit(playback.url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    resource = f"{parts.scheme}://{parts.netloc}{parts.path}"
    assert resource == f"{CLOUDFRONT_DOMAIN}/{video_id}"
    assert set(query) == {"Expires", "Signature", "Key-Pair-Id"}  # canned: no Policy
    assert query["Key-Pair-Id"] == KEY_PAIR_ID
    expires = int(query["Expires"])
    assert expires == int(playback.expires_at.timestamp())
    assert 595 <= expires - time.time() <= 601
    _verify(cloudfront_public_key, query["Signature"], (CANNED % (resource, expires)).encode())
    with pytest.raises(InvalidSignature):  # the signature covers the expiry
        _verify(
            cloudfront_public_key,
            query["Signature"],
            (CANNED % (resource, expires + 3600)).encode(),
        )


def test_signed_cookies_cover_a_folder(
    cdn_backend: S3Backend, cloudfront_public_key: rsa.RSAPublicKey
) -> None:
    assert cdn_backend.cdn is not None
    expires_at = datetime.fromtimestamp(int(time.time()) + 300, tz=UTC)
    resource = f"{CLOUDFRONT_DOMAIN}/tenants/7/hls/*"

    cookies = cdn_backend.cdn.signed_cookies(resource, expires_at)

    policy = _unb64(cookies["CloudFront-Policy"])
    statement = json.loads(policy)["Statement"][0]
    assert statement["Resource"] == resource
    assert statement["Condition"]["DateLessThan"]["AWS:EpochTime"] == int(expires_at.timestamp())
    assert cookies["CloudFront-Key-Pair-Id"] == KEY_PAIR_ID
    _verify(cloudfront_public_key, cookies["CloudFront-Signature"], policy)


def test_the_private_key_is_parsed_once(
    cdn_backend: S3Backend,
    upload_ctx: UploadContext,
    monkeypatch: pytest.MonkeyPatch,
    cloudfront_key_pair: tuple[bytes, rsa.RSAPublicKey],
) -> None:
    video_id = _video_id(cdn_backend, upload_ctx)
    parsed: list[bytes] = []
    real = serialization.load_pem_private_key

    def counting_load(data: bytes, *args: Any, **kwargs: Any) -> Any:
        parsed.append(data)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(serialization, "load_pem_private_key", counting_load)

    urls = {cdn_backend.playback(video_id, Viewer(user_id=1), 60 + n).url for n in range(3)}

    assert len(urls) == 3 and parsed == []  # signing reuses the key parsed at start
    CloudFrontUrls(domain="d1.cloudfront.net", key_pair_id="K1", private_key=cloudfront_key_pair[0])
    assert len(parsed) == 1  # (the counter does see a parse)


def test_invalidation_reference_is_stable_per_key() -> None:
    key = "tenants/1/assignments/2/users/3/" + "b" * 32 + "/a.mp4"
    assert caller_reference(key) == caller_reference(key)
    assert caller_reference(key) != caller_reference(key.replace("b", "c"))
