"""Counters and histograms added up across every web and worker process, in Redis.

Why not prometheus_client's own counters: gunicorn runs several processes, Celery workers
run on other machines, and a scrape through the load balancer reaches one of them at
random. Each process adds its increments to a local buffer and flushes it to one Redis
hash per metric at most every `METRICS_FLUSH_SECONDS` (one pipelined round trip), so a
request pays no network call; any process's `/metrics` then reports the whole site's
totals. Without Redis (development, eager tasks) the totals stay in the process.
prometheus_client still renders them (see metrics.py).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_PREFIX = "lti:metrics:"
LATENCY_BUCKETS: tuple[float, ...] = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# After a failed flush (Redis down), requests stop trying for this long; the buffer keeps
# adding up (one number per label set, so it stays small) and goes out once Redis is back.
_RETRY_AFTER_FAILURE = 30.0


@dataclass(frozen=True)
class MetricDef:
    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()  # a histogram when set

    @property
    def is_histogram(self) -> bool:
        return bool(self.buckets)

    @property
    def key(self) -> str:
        # A histogram's hash holds per-bucket counts (cumulated when scraped); the suffix
        # keeps them apart from the cumulative counts an earlier version stored.
        return _PREFIX + self.name + (":per-bucket" if self.is_histogram else "")


class SharedMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._local: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._last_flush = time.monotonic()
        self._paused_until = 0.0
        self._client: redis.Redis | None = None

    def inc(
        self, metric: MetricDef, amount: float = 1.0, *, flush: bool = True, **labels: str
    ) -> None:
        """Add to a counter; `flush=False` only buffers (never a network call)."""
        with self._lock:
            self._pending[metric.key][_field(metric, labels)] += amount
        if flush:
            self.flush_if_due()

    def observe(self, metric: MetricDef, value: float, **labels: str) -> None:
        """Count `value` in its own bucket only (three fields, not one per bucket: this runs
        on every request); `histogram_samples` adds the buckets up when scraped."""
        bucket = next((bound for bound in metric.buckets if value <= bound), None)
        with self._lock:
            fields = self._pending[metric.key]
            if bucket is not None:
                fields[_field(metric, labels, le=_le(bucket))] += 1
            fields[_field(metric, labels, le="+Inf")] += 1
            fields[_field(metric, labels, le="sum")] += value
        self.flush_if_due()

    def flush_if_due(self) -> None:
        now = time.monotonic()
        if now - self._last_flush >= settings.METRICS_FLUSH_SECONDS and now >= self._paused_until:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, defaultdict(lambda: defaultdict(float))
            self._last_flush = time.monotonic()
        if not pending:
            return
        client = self._redis()
        if client is None:
            for key, fields in pending.items():
                for field, amount in fields.items():
                    self._local[key][field] += amount
            return
        try:
            with client.pipeline(transaction=False) as pipe:
                for key, fields in pending.items():
                    for field, amount in fields.items():
                        pipe.hincrbyfloat(key, field, amount)
                pipe.execute()
        except redis.RedisError as exc:  # metrics never break or slow down requests
            logger.warning(
                "metrics flush failed, retrying in %.0f s: %s", _RETRY_AFTER_FAILURE, exc
            )
            self._paused_until = time.monotonic() + _RETRY_AFTER_FAILURE
            with self._lock:
                for key, fields in pending.items():
                    for field, amount in fields.items():
                        self._pending[key][field] += amount

    def totals(self, metric: MetricDef) -> dict[str, float]:
        """Every label set's total (fields as stored: JSON label lists)."""
        self.flush()
        client = self._redis()
        if client is None:
            return dict(self._local.get(metric.key, {}))
        raw: dict[bytes, bytes] = client.hgetall(metric.key)  # type: ignore[assignment]
        return {key.decode(): float(value) for key, value in raw.items()}

    def reset(self) -> None:
        """Forget every total (tests)."""
        with self._lock:
            self._pending.clear()
            self._local.clear()
        client = self._redis()
        if client is not None:
            keys = list(client.scan_iter(match=_PREFIX + "*"))
            if keys:
                client.delete(*keys)

    def _redis(self) -> redis.Redis | None:
        if not settings.REDIS_URL:
            return None
        if self._client is None:
            self._client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
        return self._client


def _le(bound: float) -> str:
    return repr(float(bound))


def _field(metric: MetricDef, labels: dict[str, str], le: str | None = None) -> str:
    values = tuple(str(labels.get(name, "")) for name in metric.labels)
    return _encoded(values if le is None else (*values, le))


@functools.lru_cache(maxsize=4096)  # label sets are few (routes, statuses): each encoded once
def _encoded(values: tuple[str, ...]) -> str:
    return json.dumps(values)


def decoded(totals: dict[str, float]) -> Iterator[tuple[list[str], float]]:
    for field, value in totals.items():
        yield json.loads(field), value


def histogram_samples(
    metric: MetricDef, totals: dict[str, float]
) -> Iterator[tuple[list[str], list[tuple[str, float]], float]]:
    """(labels, cumulative buckets, sum) per label set, as HistogramMetricFamily wants."""
    grouped: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    for values, amount in decoded(totals):
        grouped[tuple(values[:-1])][values[-1]] = amount
    for labels, by_le in grouped.items():
        buckets, cumulative = [], 0.0
        for bound in metric.buckets:
            cumulative += by_le.get(_le(bound), 0.0)
            buckets.append((_le(bound), cumulative))
        buckets.append(("+Inf", by_le.get("+Inf", 0.0)))
        yield list(labels), buckets, by_le.get("sum", 0.0)


shared = SharedMetrics()
