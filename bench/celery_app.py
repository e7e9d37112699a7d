"""The product's Celery app plus two tasks only the task benchmark sends: `bench.noop`, the
trivial task every real one is compared with, and `bench.mark`, which tells the benchmark
that the queue before it has been worked off (`celery -A bench.celery_app worker`)."""

from __future__ import annotations

from django.core.cache import cache

from config.celery import app


@app.task(name="bench.noop")
def noop(n: int) -> int:
    return n


@app.task(name="bench.mark")
def mark(key: str) -> None:
    cache.set(key, 1, timeout=3600)
