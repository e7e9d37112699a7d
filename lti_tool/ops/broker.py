"""What the broker and the workers are doing: queue lengths, worker heartbeats.

Each Celery worker writes a heartbeat (its hostname and the time) to Redis every
`WORKER_HEARTBEAT_SECONDS` from a thread started when it is ready (config/celery.py);
readiness wants one younger than three beats. The heartbeats live in the cache's Redis,
so they are seen whichever broker carries the tasks.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

_HEARTBEATS = "lti:worker-heartbeats"


def queue_names() -> list[str]:
    """The queues tasks go to: Celery's default, the declared ones and the routed ones."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    for queue in getattr(settings, "CELERY_TASK_QUEUES", None) or ():
        names.add(getattr(queue, "name", str(queue)))
    routes = getattr(settings, "CELERY_TASK_ROUTES", None)
    if isinstance(routes, dict):
        names.update(
            str(r["queue"]) for r in routes.values() if isinstance(r, dict) and "queue" in r
        )
    return sorted(names)


def queue_lengths() -> dict[str, int]:
    """Messages waiting per queue (empty when the broker is not Redis or is unreachable)."""
    if not str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
        return {}
    try:
        with current_app.connection_for_read() as connection:
            client = connection.default_channel.client  # type: ignore[attr-defined]
            return {name: int(client.llen(name)) for name in queue_names()}
    except Exception as exc:  # noqa: BLE001 - a scrape shows what it can; readiness says why
        logger.warning("queue depth unavailable: %s", exc)
        return {}


def _redis_client() -> Any:
    """The cache's own Redis connection pool (the heartbeats need a sorted set)."""
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def heartbeat_write(hostname: str) -> None:
    now = time.time()
    client = _redis_client()
    client.zadd(_HEARTBEATS, {hostname: now})
    client.zremrangebyscore(_HEARTBEATS, 0, now - 24 * 3600)  # workers gone for a day


def newest_heartbeat_age() -> float | None:
    """Seconds since the freshest worker heartbeat, None if no worker ever beat."""
    newest = _redis_client().zrevrange(_HEARTBEATS, 0, 0, withscores=True)
    return time.time() - float(newest[0][1]) if newest else None


def heartbeat_start(hostname: str) -> threading.Thread:
    """Beat from a daemon thread for as long as the worker process lives."""

    def beat() -> None:
        while True:
            try:
                heartbeat_write(hostname)
            except Exception as exc:  # noqa: BLE001 - Redis down: keep trying, readiness shows it
                logger.warning("worker heartbeat failed: %s", exc)
            time.sleep(settings.WORKER_HEARTBEAT_SECONDS)

    thread = threading.Thread(target=beat, name="lti-heartbeat", daemon=True)
    thread.start()
    return thread
