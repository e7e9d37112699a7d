"""Rate limits on upload tickets and playback, counted in the cache (Redis in production).

Fixed windows: `add` (SET NX) creates a window's counter and `incr` (INCRBY) counts, both
atomic in Redis, so 50 parallel requests against a limit of 10 let exactly 10 through.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache


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
    for limit in limits:
        window = int(now // limit.period_seconds)
        key = f"rate:{limit.name}:{subject}:{window}"
        cache.add(key, 0, timeout=limit.period_seconds + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # the counter expired between add and incr: a new window
            cache.add(key, 1, timeout=limit.period_seconds + 60)
            count = 1
        if count > limit.max_requests:
            retry_after = math.ceil((window + 1) * limit.period_seconds - now)
            raise RateLimited(limit, max(retry_after, 1))


def _period_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{seconds} seconds"
