"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: what it needs works).

Readiness runs django-health-check's checks for the database and the cache's Redis, and
ours for the broker, each configured storage backend's `check()` (remembered for
`STORAGE_CHECK_CACHE_SECONDS`, so a probe every few seconds does not call S3 or
Cloudflare each time) and a live Celery worker (a heartbeat younger than three beats). It
answers 200 or 503 with JSON naming each check and, for a failed one, why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import threading
import time
from collections.abc import Iterator
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from lti_tool.models import StorageConfig
from lti_tool.ops.broker import newest_heartbeat_age
from lti_tool.services.storage import backend_for_config
from storage_backends.base import HealthCheck as BackendHealthCheck

_PROBE_TIMEOUT = datetime.timedelta(seconds=3)


def liveness(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@dataclasses.dataclass
class Broker(HealthCheck):  # type: ignore[misc]
    """The Celery broker takes a connection (Redis or RabbitMQ alike)."""

    timeout = _PROBE_TIMEOUT

    def run(self) -> None:
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # noqa: BLE001 - kombu raises many kinds; all mean "down"
            raise ServiceUnavailable(f"Broker unreachable: {type(exc).__name__}") from exc


@dataclasses.dataclass
class Worker(HealthCheck):  # type: ignore[misc]
    """A Celery worker beat recently (config/celery.py starts the heartbeat)."""

    timeout = _PROBE_TIMEOUT

    def run(self) -> None:
        try:
            age = newest_heartbeat_age()
        except Exception as exc:  # noqa: BLE001 - Redis down: the cache check says why
            raise ServiceUnavailable("Worker heartbeats unreadable") from exc
        if age is None:
            raise ServiceUnavailable("No Celery worker has ever started")
        if age > 3 * settings.WORKER_HEARTBEAT_SECONDS:
            raise ServiceUnavailable(f"No Celery worker heartbeat for {age:.0f} s")


_storage_results: dict[str, tuple[float, list[str]]] = {}
_storage_lock = threading.Lock()


def _storage_problems(config: StorageConfig | None) -> list[str]:
    key = "default" if config is None else f"{config.pk}@{config.updated_at.isoformat()}"
    with _storage_lock:
        cached = _storage_results.get(key)
    if cached and time.monotonic() - cached[0] < settings.STORAGE_CHECK_CACHE_SECONDS:
        return cached[1]
    backend = backend_for_config(config)
    problems = backend.check() if isinstance(backend, BackendHealthCheck) else []
    with _storage_lock:
        _storage_results[key] = (time.monotonic(), problems)
    return problems


@dataclasses.dataclass
class Storage(HealthCheck):  # type: ignore[misc]
    """The site's default storage and every storage configuration pass `check()`."""

    timeout = datetime.timedelta(seconds=10)

    def run(self) -> None:
        try:
            configs: list[StorageConfig | None] = [None, *StorageConfig.objects.order_by("pk")]
        except DatabaseError as exc:
            raise ServiceUnavailable("Storage configurations unreadable: database") from exc
        finally:  # checks run in executor threads: no connection left open in one
            connections.close_all()
        failed = []
        for config in configs:
            name = "site default" if config is None else f"{config.label} (#{config.pk})"
            try:
                problems = _storage_problems(config)
            except Exception as exc:  # noqa: BLE001 - a broken config is one failed storage
                problems = [type(exc).__name__]
            if problems:
                failed.append(f"{name}: {'; '.join(problems)}")
        if failed:
            raise ServiceUnavailable(" | ".join(failed))


class ReadinessView(HealthCheckView):  # type: ignore[misc]
    """503 (not django-health-check's 500) when a check fails: load balancers and
    orchestrators read 503 as "not ready", and a 500 would look like a bug."""

    def get_checks(self) -> Iterator[HealthCheck]:
        yield from super().get_checks()
        if settings.REDIS_URL:
            yield Worker()

    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        Broker,
        Storage,
    )

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failed = any(result.error for result in self.results)
        return self.render_to_response_json(503 if failed else 200)  # type: ignore[no-any-return]


readiness = ReadinessView.as_view()
