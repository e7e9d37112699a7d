"""Which origins may frame the tool: those of the registered platforms.

A platform's pages are served from its issuer's or its login endpoint's origin (Moodle,
Brightspace, Sakai, a self-hosted Canvas). Hosted platforms that sign with one issuer for
every school but serve each school from its own host add that family's hosts: Canvas
(`canvas.instructure.com` -> `https://*.instructure.com`), Blackboard Learn SaaS
(`blackboard.com` -> `https://*.blackboard.com`), Schoology (`*.schoology.com`).
`CSP_FRAME_ANCESTORS` (comma-separated) adds origins no registration shows (a custom
Canvas domain). The list is kept per process for `CSP_CACHE_SECONDS` and dropped when a
registration is saved or deleted.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save

from lti_tool.models import PlatformRegistration

# Issuer host -> the origins that family's schools are served from.
_HOSTED_FAMILIES = {
    "canvas.instructure.com": "https://*.instructure.com",
    "canvas.beta.instructure.com": "https://*.instructure.com",
    "canvas.test.instructure.com": "https://*.instructure.com",
    "blackboard.com": "https://*.blackboard.com",
    "schoology.schoology.com": "https://*.schoology.com",
}
_lock = threading.Lock()
_cached: tuple[float, tuple[str, ...]] | None = None


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _computed() -> tuple[str, ...]:
    origins: set[str] = set(settings.CSP_FRAME_ANCESTORS)
    for issuer, login in PlatformRegistration.objects.values_list("issuer", "auth_login_url"):
        origins.update(origin for origin in (_origin(issuer), _origin(login)) if origin)
        family = _HOSTED_FAMILIES.get(urlsplit(issuer).hostname or "")
        if family:
            origins.add(family)
    return tuple(sorted(origins))


def allowed_origins() -> tuple[str, ...]:
    global _cached
    now = time.monotonic()
    with _lock:
        if _cached and now - _cached[0] < settings.CSP_CACHE_SECONDS:
            return _cached[1]
    try:
        origins = _computed()
    except DatabaseError:  # the database is down: the page says so; allow what settings say
        return tuple(settings.CSP_FRAME_ANCESTORS)
    with _lock:
        _cached = (now, origins)
    return origins


def forget(**_: Any) -> None:
    global _cached
    with _lock:
        _cached = None


post_save.connect(forget, sender=PlatformRegistration, dispatch_uid="csp-frame-ancestors")
post_delete.connect(forget, sender=PlatformRegistration, dispatch_uid="csp-frame-ancestors")
