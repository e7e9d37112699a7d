"""Prometheus metrics: what the site did (counters added up in Redis, shared_metrics.py) and
what is waiting now (read from the database and the broker at scrape time).

`/metrics` answers only with `Authorization: Bearer <METRICS_TOKEN>`; without a token
configured it is off (404). It is served before host checks and the https redirect, so
Prometheus scrapes it over plain http inside the network.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from lti_tool.models import ScoreSend, Submission
from lti_tool.ops.shared_metrics import (
    LATENCY_BUCKETS,
    MetricDef,
    decoded,
    histogram_samples,
    shared,
)
from storage_backends.errors import ProviderError

REQUEST_LATENCY = MetricDef(
    "lti_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status.",
    ("route", "method", "status"),
    buckets=LATENCY_BUCKETS,
)
LAUNCHES = MetricDef(
    "lti_launches", "LTI launches by outcome and, when refused, the step.", ("outcome", "step")
)
PLAYBACKS = MetricDef("lti_playbacks", "Playback URLs handed out, by outcome.", ("outcome",))
PROVIDER_ERRORS = MetricDef(
    "lti_provider_errors",
    "Failed calls to a storage provider or an LMS, by error code and provider status.",
    ("code", "status", "permanent"),
)
CELERY_TASKS = MetricDef(
    "lti_celery_tasks", "Celery task runs by task and outcome.", ("task", "outcome")
)
COUNTERS = (LAUNCHES, PLAYBACKS, PROVIDER_ERRORS, CELERY_TASKS)
# Scores that still have to reach the LMS (uploads still to verify: `Submission.WAITING`).
_WAITING_SCORES = (ScoreSend.State.PENDING, ScoreSend.State.SENDING)


class SiteCollector:
    def collect(self) -> Iterator[Metric]:
        yield from _counters()
        yield _latency()
        yield from _uploads()
        yield from _scores()
        yield _queue_depth()

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time: nothing to check at registration


def _counters() -> Iterator[Metric]:
    for metric in COUNTERS:
        family = CounterMetricFamily(metric.name, metric.help, labels=metric.labels)
        for values, amount in decoded(shared.totals(metric)):
            family.add_metric(values, amount)
        yield family


def _latency() -> Metric:
    family = HistogramMetricFamily(
        REQUEST_LATENCY.name, REQUEST_LATENCY.help, labels=REQUEST_LATENCY.labels
    )
    for labels, buckets, total in histogram_samples(
        REQUEST_LATENCY, shared.totals(REQUEST_LATENCY)
    ):
        family.add_metric(labels, buckets, total)
    return family


def _uploads() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "lti_uploads", "Submissions by state and storage backend.", labels=["state", "backend"]
    )
    rows = Submission.objects.values_list("state", "backend").annotate(n=Count("id"))
    for state, backend, count in rows.order_by():
        family.add_metric([state, backend], count)
    yield family
    oldest = Submission.objects.filter(state__in=Submission.WAITING).aggregate(t=Min("updated_at"))
    yield _age(
        "lti_oldest_waiting_upload_seconds",
        "Age of the oldest upload still waiting for verification (0: none).",
        oldest["t"],
    )


def _scores() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "lti_grade_sends", "Scores for the LMS by outcome (state).", labels=["state"]
    )
    for state, count in ScoreSend.objects.values_list("state").annotate(n=Count("id")).order_by():
        family.add_metric([state], count)
    yield family
    oldest = ScoreSend.objects.filter(state__in=_WAITING_SCORES).aggregate(t=Min("created_at"))
    yield _age(
        "lti_oldest_waiting_score_seconds",
        "Age of the oldest score still waiting to reach the LMS (0: none).",
        oldest["t"],
    )


def _age(name: str, help_text: str, since: datetime | None) -> Metric:
    age = (timezone.now() - since).total_seconds() if since else 0.0
    return GaugeMetricFamily(name, help_text, value=max(age, 0.0))


def _queue_depth() -> Metric:
    from lti_tool.ops.broker import queue_lengths  # the broker client only when scraped

    family = GaugeMetricFamily(
        "lti_celery_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
    )
    for queue, length in queue_lengths().items():
        family.add_metric([queue], length)
    return family


_registry = CollectorRegistry(auto_describe=False)
_registry.register(SiteCollector())


def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("Metrics are off: set METRICS_TOKEN.", status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse("A valid metrics token is required.", status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_LATEST)


def count_provider_error(error: ProviderError) -> None:
    """Buffered only: a ProviderError may be made inside a transaction (no network here)."""
    shared.inc(
        PROVIDER_ERRORS,
        flush=False,
        code=error.code,
        status=str(error.status or ""),
        permanent=str(error.permanent).lower(),
    )
