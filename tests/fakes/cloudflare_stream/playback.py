"""The fake's delivery host (`customer-<code>.cloudflarestream.com`): `/<id>/iframe` and
`/<id>/video.mp4`, where <id> is a video uid or a signed token.

The real iframe is Stream's HLS player; here it is a page with a `<video>` over the
uploaded bytes (served with HTTP Range), enough for a browser test to play a video.
"""

from __future__ import annotations

import html
import ipaddress
import re
import time
from typing import TYPE_CHECKING, Any

import jwt

from tests.fakes.cloudflare_stream.service import MAX_TOKEN_TTL, FakeVideo, Reply

if TYPE_CHECKING:
    from tests.fakes.cloudflare_stream.server import Incoming
    from tests.fakes.cloudflare_stream.service import FakeCloudflareStream

_PATH = re.compile(r"/(?P<ident>[^/]+)/(?P<what>iframe|video\.mp4)")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handle(fake: FakeCloudflareStream, request: Incoming) -> Reply:
    match = _PATH.fullmatch(request.path)
    if match is None or request.method not in ("GET", "HEAD"):
        return Reply(404, body=b"not found")
    try:
        video = authorize(fake, match["ident"], request.client_ip)
    except Refused as exc:
        return Reply(exc.status, {"Content-Type": "text/plain"}, str(exc).encode())
    if match["what"] == "iframe":
        return _iframe(match["ident"])
    with fake.lock:
        data = bytes(video.data)
    return serve_range(data, request.header("Range"), _mime(video))


def authorize(fake: FakeCloudflareStream, ident: str, client_ip: str) -> FakeVideo:
    """The ready video `ident` may play, or Refused (401 bad token, 403 rule, 404)."""
    if ident.count(".") == 2:
        claims = _verify_token(fake, ident)
        uid, rules = str(claims["sub"]), claims.get("accessRules") or []
    else:
        uid, rules = ident, []
    with fake.lock:
        video = fake.videos.get(uid)
        ready = video is not None and fake.status(video)[0] == "ready"
    if video is None or not ready:
        raise Refused(404, "video not found or not ready")
    if video.require_signed and ident == uid:
        raise Refused(401, "this video requires a signed URL")
    if not _allowed(rules, client_ip):
        raise Refused(403, "blocked by the token's accessRules")
    return video


def _verify_token(fake: FakeCloudflareStream, token: str) -> dict[str, Any]:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        with fake.lock:
            public_key = fake.public_keys.get(str(kid), (None, ""))[0]
        if public_key is None:
            raise Refused(401, "unknown signing key")
        claims = jwt.decode(
            token, public_key, algorithms=["RS256"], options={"require": ["sub", "kid", "exp"]}
        )
    except jwt.PyJWTError as exc:
        raise Refused(401, f"invalid token: {exc}") from exc
    if claims["kid"] != kid:
        raise Refused(401, "token kid claim does not match its header")
    if claims["exp"] > time.time() + MAX_TOKEN_TTL + 60:
        raise Refused(401, "token expires more than 24 hours ahead")
    return claims


def _allowed(rules: list[dict[str, Any]], client_ip: str) -> bool:
    """First matching rule wins; none matching means allowed. Countries never match here."""
    address = ipaddress.ip_address(client_ip)
    for rule in rules[:5]:
        kind = rule.get("type")
        if kind == "any" or (
            kind == "ip.src"
            and any(
                address in ipaddress.ip_network(net, strict=False) for net in rule.get("ip", [])
            )
        ):
            return rule.get("action") == "allow"
    return True


def _iframe(ident: str) -> Reply:
    source = html.escape(f"/{ident}/video.mp4")
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Stream (fake)</title></head>"
        "<body style='margin:0;background:#000'>"
        f"<video id='stream-player' controls playsinline preload='metadata' src='{source}' "
        "style='width:100%;height:100vh'></video></body></html>"
    )
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())


def serve_range(data: bytes, header: str | None, mime: str) -> Reply:
    size = len(data)
    headers = {"Content-Type": mime, "Accept-Ranges": "bytes", "Access-Control-Allow-Origin": "*"}
    match = _RANGE.fullmatch((header or "").strip())
    if header is None or match is None or match.groups() == ("", ""):
        return Reply(200, headers, data)
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # a suffix: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        return Reply(416, {**headers, "Content-Range": f"bytes */{size}"})
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Reply(206, headers, data[start : end + 1])


def _mime(video: FakeVideo) -> str:
    declared = str(video.meta.get("filetype") or video.meta.get("type") or "")
    return declared if declared.startswith("video/") else "video/mp4"
