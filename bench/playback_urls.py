"""Signed playback URLs per second, per backend, next to the raw signature they are built on.

    python bench/playback_urls.py [--seconds 0.4] [--repeats 7]

For each backend, `backend.playback(...)` (warm: backend built and key loaded once, as the
registry does) against the signing primitive alone with a pre-loaded key:
- local: HMAC-SHA256 of the same message (`<video id>:<expires>`);
- s3 + CloudFront: RSA PKCS#1 v1.5 SHA-1 over the same canned policy;
- cloudflare: PyJWT RS256 encode of the same claims.
The ratio is backend / raw: how much of the time is the signature itself (aim: >= 0.8).
No server is called: every signature is computed locally (that is the point of them).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import Rate, machine, measure, measure_pair, setup_django, table  # noqa: E402

CLOUDFRONT_DOMAIN = "https://d111111abcdef8.cloudfront.net"
CANNED = '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}'
TTL = 3600


@dataclass
class Case:
    name: str
    backend_call: Callable[[], object]
    raw_call: Callable[[], object] | None
    raw_what: str


def _rsa_pem() -> tuple[str, object]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, key


def local_case(data_dir: Path) -> Case:
    from storage_backends.base import Viewer
    from storage_backends.local import LocalBackend

    secret = "bench-secret-" + uuid.uuid4().hex  # noqa: S105 - a throw-away value
    backend = LocalBackend(root=str(data_dir / "videos"), secret=secret)
    video_id, viewer = uuid.uuid4().hex, Viewer(user_id=1)
    url = backend.playback(video_id, viewer, TTL).url
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    assert backend.signer.playback_is_valid(video_id, int(query["expires"]), query["signature"])

    key = hashlib.sha256(f"local-playback:{secret}".encode()).digest()  # derived once
    message = f"{video_id}:{int(time.time()) + TTL}".encode()
    return Case(
        "local (HMAC link)",
        lambda: backend.playback(video_id, viewer, TTL),
        lambda: hmac.new(key, message, hashlib.sha256).hexdigest(),
        "HMAC-SHA256, loaded key",
    )


def cloudfront_case() -> Case:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from storage_backends.base import Viewer
    from storage_backends.s3 import S3Backend

    pem, key = _rsa_pem()
    backend = S3Backend(
        bucket="bench-videos",
        region="eu-west-1",
        access_key_id="AKIDBENCHONLY",
        secret_access_key="bench-only",
        cloudfront_domain=CLOUDFRONT_DOMAIN,  # noqa: S106
        cloudfront_key_pair_id="K2JCJMDEHXQW5F",
        cloudfront_private_key=pem,
    )
    video_id = f"tenants/1/assignments/2/users/3/{uuid.uuid4().hex}/talk.mp4"
    viewer = Viewer(user_id=1)
    url = backend.playback(video_id, viewer, TTL).url
    assert "Signature=" in url and "Key-Pair-Id=K2JCJMDEHXQW5F" in url

    policy = (CANNED % (f"{CLOUDFRONT_DOMAIN}/{video_id}", int(time.time()) + TTL)).encode()
    return Case(
        "s3 + CloudFront (canned URL)",
        lambda: backend.playback(video_id, viewer, TTL),
        lambda: key.sign(policy, padding.PKCS1v15(), hashes.SHA1()),  # type: ignore[attr-defined]  # noqa: S303
        "RSA-2048 PKCS1v15 SHA-1, loaded key",
    )


def presigned_case() -> Case:
    """S3 without CloudFront (development): a SigV4 presigned GET, for comparison."""
    from storage_backends.base import Viewer
    from storage_backends.s3 import S3Backend

    backend = S3Backend(
        bucket="bench-videos",
        region="eu-west-1",
        access_key_id="AKIDBENCHONLY",
        secret_access_key="bench-only",
    )  # noqa: S106
    video_id = f"tenants/1/assignments/2/users/3/{uuid.uuid4().hex}/talk.mp4"
    viewer = Viewer(user_id=1)
    assert "X-Amz-Signature=" in backend.playback(video_id, viewer, TTL).url
    return Case(
        "s3, no CloudFront (presigned GET)",
        lambda: backend.playback(video_id, viewer, TTL),
        None,
        "-",
    )


def cloudflare_case() -> Case:
    import jwt

    from storage_backends.base import Viewer
    from storage_backends.cloudflare import CloudflareStreamBackend

    pem, key = _rsa_pem()
    kid = uuid.uuid4().hex
    backend = CloudflareStreamBackend(
        account_id="bench",
        api_token="bench-only",  # noqa: S106 - never sent anywhere
        api_base="http://127.0.0.1:9/client/v4",  # never called: tokens are signed here
        delivery_base="https://customer-bench.cloudflarestream.com",
        signing_key_id=kid,
        signing_key_pem=pem,
    )
    video_id, viewer = uuid.uuid4().hex, Viewer(user_id=1)
    token = backend.playback(video_id, viewer, TTL).url.rsplit("/", 2)[-2]
    assert jwt.decode(token, key.public_key(), algorithms=["RS256"])["sub"] == video_id  # type: ignore[attr-defined]

    now = int(time.time())
    claims = {"sub": video_id, "kid": kid, "exp": now + TTL, "nbf": now - 60}
    return Case(
        "cloudflare (RS256 token)",
        lambda: backend.playback(video_id, viewer, TTL),
        lambda: jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid}),  # type: ignore[arg-type]
        "PyJWT RS256 encode, loaded key",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.4, help="length of one timed run")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs (median reported)")
    args = parser.parse_args()
    data_dir = setup_django()
    cases = [local_case(data_dir), cloudfront_case(), presigned_case(), cloudflare_case()]

    rows = []
    for case in cases:
        if case.raw_call is None:
            via = measure(case.backend_call, seconds=args.seconds, repeats=args.repeats)
            rows.append(_row(case, via, None, None))
            continue
        via, raw, ratio = measure_pair(
            case.backend_call, case.raw_call, seconds=args.seconds, repeats=args.repeats
        )
        rows.append(_row(case, via, raw, ratio))
    print(
        f"Signed playback URLs ({machine()})\nmedian of {args.repeats} alternating runs "
        f"of ~{args.seconds:g} s each, warm, in calls per CPU second of this process "
        "(pure computation: equal to wall time on an idle machine); ratio = median of "
        "the paired runs' ratios\n"
    )
    print(
        table(
            ["backend", "playback()/s", "us/URL", "raw sign/s", "us/sign", "ratio", "raw = "], rows
        )
    )


def _row(case: Case, via: Rate, raw: Rate | None, ratio: float | None) -> list[str]:
    if raw is None or ratio is None:
        return [
            case.name,
            f"{via.per_second:,.0f}",
            f"{via.micros:.1f}",
            "-",
            "-",
            "-",
            case.raw_what,
        ]
    return [
        case.name,
        f"{via.per_second:,.0f}",
        f"{via.micros:.1f}",
        f"{raw.per_second:,.0f}",
        f"{raw.micros:.1f}",
        f"{ratio:.2f}",
        case.raw_what,
    ]


if __name__ == "__main__":
    main()
