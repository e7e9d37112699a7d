"""A tenant's overrides of the site's rate limits, kept a little while in each process.

The playback link counts its rate limit before its one statement (which writes the event
row of the link it gives, so it must know first whether the link is given): the limits are
needed before anything is read. They change when an administrator edits the tenant, which is
rare, and a playback link is asked for on every play, so each process keeps what it read:
saving or deleting a tenant forgets them at once in the process that saved it; the other
processes use what they read for at most _SECONDS more (an update() that bypasses `save`,
like a migration's, waits out the same bound).
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lti_tool.models import Tenant

_SECONDS = 30.0
_CACHE_SIZE = 1000
_recent: dict[int, tuple[float, dict[str, Any]]] = {}


def tenant_limits(tenant_id: int) -> dict[str, Any]:
    """`Tenant.limits` of `tenant_id`, read at most _SECONDS ago ({} for no such tenant)."""
    entry = _recent.get(tenant_id)
    if entry is not None and entry[0] > monotonic():
        return entry[1]
    found = Tenant.objects.filter(pk=tenant_id).values_list("limits", flat=True)
    limits: dict[str, Any] | None = found.first()
    if limits is None:  # not kept: a tenant removed meanwhile finds nothing to play anyway
        return {}
    if len(_recent) >= _CACHE_SIZE:
        _recent.clear()
    _recent[tenant_id] = (monotonic() + _SECONDS, limits)
    return limits


@receiver([post_save, post_delete], sender=Tenant)
def forget_tenant_limits(**kwargs: Any) -> None:
    """In this process at once; in the others within _SECONDS."""
    _recent.clear()
