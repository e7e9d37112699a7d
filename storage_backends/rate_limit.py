"""Rate limits on upload tickets and playback, counted in the cache (Redis in production).

Fixed windows counted with INCR (atomic in Redis), so 50 parallel requests against a
limit of 10 let exactly 10 through; all of a request's windows go in one round trip, which
can overlap the caller's own (`rate_counting`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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


@dataclass(frozen=True)
class Window:
    """What is counted: one counter per subject and period (`name` tells limits apart)."""

    name: str
    period_seconds: int


def check_rate(*, subject: str, limits: Sequence[Limit], now: float | None = None) -> None:
    """Count one request against every limit; raise RateLimited if any is exceeded."""
    windows = [Window(limit.name, limit.period_seconds) for limit in limits]
    with rate_counting(subject=subject, windows=windows, now=now) as counted:
        counted.check({limit.name: limit.max_requests for limit in limits})


class Counting:
    """One request counted in its windows (`rate_counting`); `check` reads the counts."""

    def __init__(self, now: float, windows: Sequence[Window], read: Callable[[], list[int]]):
        self._now, self._windows, self._read = now, windows, read
        self._counts: list[int] | None = None

    def check(self, maxima: Mapping[str, int]) -> None:
        """Raise RateLimited if a window's count is over its maximum (by window name)."""
        if self._counts is None:
            self._counts = self._read()
        for window, count in zip(self._windows, self._counts, strict=True):
            if count > maxima[window.name]:
                limit = Limit(window.name, maxima[window.name], window.period_seconds)
                end = (self._now // window.period_seconds + 1) * window.period_seconds
                raise RateLimited(limit, max(math.ceil(end - self._now), 1))


@contextmanager
def rate_counting(
    *, subject: str, windows: Sequence[Window], now: float | None = None
) -> Iterator[Counting]:
    """Count one request in each window; read the counts with `check` inside the block.

    With Redis, the count is sent on entering and its reply read by `check`: a caller that
    learns its maxima from a read of its own (a tenant's overrides) makes that round trip
    meanwhile, not after. Every request that enters is counted, refused or not. (redis-py's
    client sends and reads in one call: hence a connection of its pool, held here. The pool
    replaces a connection the server closed, as for the client; a Redis that is down fails
    the request at once, a 503, without the client's retries.)"""
    now = time.time() if now is None else now
    keys = [f"rate:{w.name}:{subject}:{int(now // w.period_seconds)}" for w in windows]
    timeouts = [w.period_seconds + 60 for w in windows]
    client = _redis_client()
    if client is None:
        counts = _count_in_cache(keys, timeouts)
        yield Counting(now, windows, lambda: counts)
        return
    pool = client.connection_pool
    conn = pool.get_connection()
    replied = False

    def read() -> list[int]:
        nonlocal replied
        replied = True  # read, or failed (redis-py then closes the connection)
        return [int(value) for value in conn.read_response()]

    try:
        conn.send_command("EVAL", _COUNT_SCRIPT, len(keys), *keys, *timeouts)
        yield Counting(now, windows, read)
        if not replied:
            read()  # the block did not check: the connection goes back with nothing unread
    except BaseException:
        if not replied:
            conn.disconnect()  # the block raised first: its reply must not answer another
        raise
    finally:
        pool.release(conn)


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


def _count_in_cache(keys: list[str], timeouts: list[int]) -> list[int]:
    """The same counts in a cache other than Redis (development and tests: local memory)."""
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
