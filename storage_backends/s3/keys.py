"""Object keys: where a student's video lives in the bucket, and checks on keys we are handed.

`tenants/<tenant>/assignments/<assignment>/users/<user>/<uuid>/<name>`: the prefix lets an
administrator find, bill, or purge one tenant's or one course's videos with a prefix
listing; the uuid makes every upload a new object, so CDN caches never serve an old file
under a reused name and a CloudFront invalidation reference derived from the key is unique.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from dataclasses import dataclass

from storage_backends.base import UploadContext
from storage_backends.errors import ProviderError

MAX_NAME_CHARS = 120
KEY_RE = re.compile(
    r"^tenants/(?P<tenant>\d+)/assignments/(?P<assignment>\d+)/users/(?P<user>\d+)/"
    rf"(?P<token>[0-9a-f]{{32}})/(?P<name>[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_NAME_CHARS - 1}}})$"
)


@dataclass(frozen=True)
class KeyParts:
    tenant_id: int
    assignment_id: int
    user_id: int
    token: str
    name: str


def key_safe_name(safe_name: str) -> str:
    """ASCII letters, digits, `.`, `_`, `-` only: such keys need no escaping in presigned
    POST policies, CloudFront URLs and invalidation paths, whatever the student's file is
    called (the original name stays in our database)."""
    stem, ext = os.path.splitext(safe_name)
    stem, ext = _ascii_slug(stem), _ascii_slug(ext.lstrip(".")).lower()
    stem = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip("._-") or "video"
    return f"{stem}.{ext}" if ext else stem


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip("._-")


def object_key(ctx: UploadContext, safe_name: str) -> str:
    return (
        f"tenants/{ctx.tenant_id}/assignments/{ctx.assignment_id}/users/{ctx.user_id}/"
        f"{uuid.uuid4().hex}/{key_safe_name(safe_name)}"
    )


def parse_key(key: str) -> KeyParts:
    """Refuse anything we did not make: a forged reference must not reach other objects."""
    match = KEY_RE.match(key)
    if match is None:
        raise ProviderError(
            "This is not a video reference of this storage.",
            permanent=True,
            code="invalid_reference",
        )
    return KeyParts(
        tenant_id=int(match["tenant"]),
        assignment_id=int(match["assignment"]),
        user_id=int(match["user"]),
        token=match["token"],
        name=match["name"],
    )


def checked_key(key: str) -> str:
    """The key itself, once it is known to be one of ours."""
    parse_key(key)
    return key
