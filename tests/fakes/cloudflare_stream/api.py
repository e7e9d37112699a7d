"""The fake's API: `/client/v4/accounts/{account}/stream...`, Bearer token, envelopes."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.cloudflare_stream.client import TUS_VERSION, parse_tus_metadata
from tests.fakes.cloudflare_stream.service import (
    ERR_AUTH,
    ERR_BAD_REQUEST,
    ERR_NOT_FOUND,
    MAX_DURATION,
    MAX_UPLOAD,
    Reply,
    envelope,
    error,
    iso,
)

if TYPE_CHECKING:
    from tests.fakes.cloudflare_stream.server import Incoming
    from tests.fakes.cloudflare_stream.service import FakeCloudflareStream

_PATH = re.compile(r"/client/v4/accounts/(?P<account>[^/]+)/stream(?P<rest>(/[^/]+)*)/?")
# Upload-Metadata keys Stream reads as settings (lower-cased); the rest go to `meta`.
_SETTINGS = {
    "name",
    "requiresignedurls",
    "maxdurationseconds",
    "expiry",
    "scheduleddeletion",
    "allowedorigins",
    "thumbnailtimestamppct",
    "watermark",
}


def handle(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    match = _PATH.fullmatch(request.path)
    if match is None:
        return error(404, 7000, "No route for that URI")
    failure = fake.take_failure()
    if failure is not None:
        return _failure(*failure)
    if request.header("Authorization") != f"Bearer {fake.api_token}":
        return error(401, ERR_AUTH, "Authentication error")
    if match["account"] != fake.account_id:
        return error(403, ERR_AUTH, "Authentication error")
    rest = [part for part in match["rest"].split("/") if part]
    return _dispatch(fake, request, rest)


def _dispatch(fake: FakeCloudflareStream, request: Incoming, rest: list[str]) -> Reply:
    method, first = request.method, rest[0] if rest else ""
    routes: dict[tuple[str, str], Any] = {
        ("POST", ""): _create_tus,
        ("GET", ""): _list,
        ("POST", "direct_upload"): _direct_upload,
        ("POST", "keys"): _create_key,
        ("GET", "keys"): _list_keys,
        ("PUT", "webhook"): _put_webhook,
        ("GET", "webhook"): _get_webhook,
        ("DELETE", "webhook"): _delete_webhook,
    }
    if len(rest) <= 1 and (method, first) in routes:
        return routes[method, first](fake, request)
    if len(rest) == 2 and first == "keys" and method == "DELETE":
        return _delete_key(fake, rest[1])
    if len(rest) == 1 and method in ("GET", "DELETE"):
        return (_get_video if method == "GET" else _delete_video)(fake, first)
    return error(405 if len(rest) <= 1 else 404, 7000, "No route for that URI")


def _failure(status: int, retry_after: float | None) -> Reply:
    reply = error(
        status,
        10429 if status == 429 else 10001,
        "Too many requests" if status == 429 else "Internal error",
    )
    if retry_after is not None:
        reply.headers["retry-after"] = f"{retry_after:g}"
    return reply


def _create_tus(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    """tus creation: `?direct_user=true` gives a one-time URL the browser may use alone."""
    if request.header("Tus-Resumable") != TUS_VERSION:
        return Reply(412, {"Tus-Version": TUS_VERSION}, b"Tus-Resumable 1.0.0 required")
    length = request.header("Upload-Length") or ""
    if not length.isdigit():
        return error(400, ERR_BAD_REQUEST, "Upload-Length header required")
    if int(length) > MAX_UPLOAD:
        return error(413, ERR_BAD_REQUEST, "File size exceeds the maximum")
    try:
        pairs = parse_tus_metadata(request.header("Upload-Metadata") or "")
        settings = _settings(pairs)
    except ValueError as exc:
        return error(400, ERR_BAD_REQUEST, str(exc))
    video = fake.new_video(
        int(length),
        settings.pop("meta"),
        **settings,
        direct_user=request.param("direct_user") == "true",
    )
    return Reply(
        201,
        {
            "Location": f"{fake.url}/tus/{video.upload_token}?tusv2=true",
            "stream-media-id": video.uid,
            "Tus-Resumable": TUS_VERSION,
        },
    )


def _settings(pairs: dict[str, str | None]) -> dict[str, Any]:
    lowered = {key.lower(): value for key, value in pairs.items()}
    meta = {key: value for key, value in pairs.items() if key.lower() not in _SETTINGS}
    if lowered.get("name"):
        meta["name"] = lowered["name"]
    duration = lowered.get("maxdurationseconds")
    if duration is not None and not (duration.isdigit() and 1 <= int(duration) <= MAX_DURATION):
        raise ValueError("maxDurationSeconds must be an integer from 1 to 21600")
    return {
        "meta": meta,
        "require_signed": "requiresignedurls" in lowered,
        "max_duration": int(duration) if duration else None,
        "expires": _expiry(lowered.get("expiry")),
    }


def _expiry(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise ValueError("expiry must be an RFC 3339 date") from exc


def _direct_upload(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    body = request.json()
    if not isinstance(body, dict):
        return error(400, ERR_BAD_REQUEST, "Invalid JSON body")
    duration = body.get("maxDurationSeconds")
    if not isinstance(duration, int) or not 1 <= duration <= MAX_DURATION:
        return error(400, ERR_BAD_REQUEST, "maxDurationSeconds must be from 1 to 21600")
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    video = fake.new_video(
        0,
        dict(meta),
        require_signed=bool(body.get("requireSignedURLs")),
        max_duration=duration,
        expires=time.time() + 30 * 60,
    )
    return envelope(
        {
            "uploadURL": f"{fake.url}/upload/{video.upload_token}",
            "uid": video.uid,
            "scheduledDeletion": None,
            "watermark": None,
        }
    )


def _list(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    """As Stream: newest first unless `asc=true`, `start` (alias `after`) keeps videos
    created at or after that instant, at most `fake.list_limit` (1000) per answer."""
    start = request.param("start") or request.param("after")
    with fake.lock:
        videos = sorted(fake.videos.values(), key=lambda video: (video.created, video.uid))
        if start:
            videos = [video for video in videos if video.created >= start]
        if request.param("asc") != "true":
            videos.reverse()
        page = [fake.video_object(video) for video in videos[: fake.list_limit]]
    return envelope(page)


def _get_video(fake: FakeCloudflareStream, uid: str) -> Reply:
    video = fake.video(uid)
    return envelope(video) if video else error(404, ERR_NOT_FOUND, "Not Found")


def _delete_video(fake: FakeCloudflareStream, uid: str) -> Reply:
    with fake.lock:
        video = fake.videos.pop(uid, None)
        if video is not None:
            fake.uploads.pop(video.upload_token, None)
    return envelope("") if video else error(404, ERR_NOT_FOUND, "Not Found")


def _create_key(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = secrets.token_hex(16)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key)), "kid": key_id, "alg": "RS256"}
    created = iso(time.time())
    with fake.lock:
        fake.public_keys[key_id] = (key.public_key(), created)
    return envelope(
        {
            "id": key_id,
            "created": created,  # pem and jwk: shown this once only
            "pem": base64.b64encode(pem).decode(),
            "jwk": base64.b64encode(json.dumps(jwk).encode()).decode(),
        }
    )


def _list_keys(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    with fake.lock:
        keys = [
            {"id": key_id, "created": created} for key_id, (_, created) in fake.public_keys.items()
        ]
    return envelope(keys)


def _delete_key(fake: FakeCloudflareStream, key_id: str) -> Reply:
    with fake.lock:
        found = fake.public_keys.pop(key_id, None)
    return envelope("Revoked") if found else error(404, ERR_NOT_FOUND, "Not Found")


def _put_webhook(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    body = request.json()
    url = body.get("notificationUrl") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return error(400, ERR_BAD_REQUEST, "notificationUrl must be an http(s) URL")
    # The real service refuses localhost and private IPs here; the fake accepts them so
    # tests can listen on 127.0.0.1.
    hook = {"notificationUrl": url, "modified": iso(time.time()), "secret": secrets.token_hex(16)}
    with fake.lock:
        fake.webhook = hook
    return envelope(dict(hook))


def _get_webhook(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    with fake.lock:
        hook = dict(fake.webhook) if fake.webhook else None
    return envelope(hook) if hook else error(404, ERR_NOT_FOUND, "Not Found")


def _delete_webhook(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    with fake.lock:
        fake.webhook = None
    return envelope("")
