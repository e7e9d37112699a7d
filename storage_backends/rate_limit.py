"""Rate limits on upload tickets and playback, counted in the cache (Redis in production).

Fixed windows counted with INCR (atomic in Redis), so 50 parallel requests against a
limit of 10 let exactly 10 through; all of a request's windows go in one round trip.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache


@dataclass(frozen=True)
class Limit:
    name: str
    max_requests: int
    period_seconds: int


class RateLimited(Exception):
    def __init__(self, limit: Limit, retry_after: int) -> None:
        self.limit = limit
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"Too many attempts: at most {limit.max_requests} per "
            f"{_period_words(limit.period_seconds)}. Please try again in about {minutes} "
            f"minute{'s' if minutes != 1 else ''}."
        )


def check_rate(*, subject: str, limits: Sequence[Limit], now: float | None = None) -> None:
    """Count one request against every limit; raise RateLimited if any is exceeded."""
    now = time.time() if now is None else now
    windows = [(limit, int(now // limit.period_seconds)) for limit in limits]
    keys = [f"rate:{limit.name}:{subject}:{window}" for limit, window in windows]
    counts = _count(keys, [limit.period_seconds + 60 for limit in limits])
    for (limit, window), count in zip(windows, counts, strict=True):
        if count > limit.max_requests:
            retry_after = math.ceil((window + 1) * limit.period_seconds - now)
            raise RateLimited(limit, max(retry_after, 1))


# Every window's INCR, and its life set when it opens, as one command: a script is one
# command and one reply for redis-py to build and parse (a pipeline of INCR + EXPIRE NX
# per window cost several times the CPU on every playback link and ticket).
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""


def _count(keys: list[str], timeouts: list[int]) -> list[int]:
    client = _redis_client()
    if client is not None:
        return [int(value) for value in client.eval(_COUNT_SCRIPT, len(keys), *keys, *timeouts)]
    counts = []
    for key, timeout in zip(keys, timeouts, strict=True):
        cache.add(key, 0, timeout=timeout)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # the counter expired between add and incr: a new window
            cache.add(key, 1, timeout=timeout)
            counts.append(1)
    return counts


def _redis_client() -> Any:
    """The raw Redis client behind Django's cache, or None for other cache backends."""
    backend = caches["default"]  # the backend itself: `cache` is a proxy
    if not isinstance(backend, RedisCache):
        return None
    # No public accessor; django-stubs leaves out the private `_cache` (a RedisCacheClient).
    return backend._cache.get_client(write=True)  # type: ignore[attr-defined]  # noqa: SLF001


def _period_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{seconds} seconds"
