"""/metrics: behind its token, and what an operator alerts on is in it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lti_tool.models import ScoreSend, Submission
from lti_tool.ops.shared_metrics import shared
from storage_backends.errors import ProviderError
from tests.factories import ScoreSendFactory, SubmissionFactory

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_on(settings: Any, db: None) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_FLUSH_SECONDS = 0
    shared.reset()


def scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels...}` (labels in any order), or fail."""
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    raise AssertionError(f"no sample {name} {labels} in:\n{text}")


def test_metrics_are_off_without_a_token(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(client: Client, metrics_on: None) -> None:
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    assert TOKEN not in wrong.content.decode()


def test_launches_by_outcome_and_refusal_step(
    client: Client, metrics_on: None, launcher: Any
) -> None:
    assert launcher.launch().status_code == 200
    params = launcher.login()
    refused = launcher.post("not-a-jwt", params["state"])
    assert refused.status_code == 400
    text = scrape(client)
    assert value(text, "lti_launches_total", outcome="accepted", step="") == 1
    assert value(text, "lti_launches_total", outcome="refused", step="format") == 1
    for status in ("200", "400"):
        latency = value(
            text, "lti_http_request_duration_seconds_count", route="lti/launch/", status=status
        )
        assert latency == 1


def test_latency_buckets_count_every_request_at_or_below_them(
    client: Client, metrics_on: None
) -> None:
    from lti_tool.ops.metrics import REQUEST_LATENCY

    labels = {"route": "api/example", "method": "GET", "status": "200"}
    for seconds in (0.02, 0.3, 0.5, 20.0):
        shared.observe(REQUEST_LATENCY, seconds, **labels)

    text = scrape(client)
    name = "lti_http_request_duration_seconds"
    expected = {"0.01": 0, "0.025": 1, "0.25": 1, "0.5": 3, "10.0": 3, "+Inf": 4}
    for le, count in expected.items():
        assert value(text, f"{name}_bucket", le=le, **labels) == count, le
    assert value(text, f"{name}_count", **labels) == 4
    assert value(text, f"{name}_sum", **labels) == pytest.approx(20.82)


def test_waiting_work_and_task_outcomes(client: Client, metrics_on: None) -> None:
    from lti_tool.tasks import reverify_waiting_uploads

    reverify_waiting_uploads.apply()  # with nothing waiting yet: it changes nothing below
    ProviderError("S3 HeadObject failed: 503", code="unavailable", status=503)
    waiting = SubmissionFactory(state=Submission.State.UPLOADED, backend="s3")
    Submission.objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now() - timedelta(minutes=30)
    )
    score = ScoreSendFactory(state=ScoreSend.State.PENDING)
    ScoreSend.objects.filter(pk=score.pk).update(created_at=timezone.now() - timedelta(hours=2))
    ready_local = Submission.objects.filter(state="ready", backend="local").count()

    text = scrape(client)
    assert value(text, "lti_uploads", state="uploaded", backend="s3") == 1
    if ready_local:
        assert value(text, "lti_uploads", state="ready", backend="local") == ready_local
    assert value(text, "lti_oldest_waiting_upload_seconds") >= 30 * 60
    assert value(text, "lti_oldest_waiting_score_seconds") >= 2 * 3600
    assert value(text, "lti_grade_sends", state="pending") == 1
    task = "lti_tool.tasks.reverify_waiting_uploads"
    assert value(text, "lti_celery_tasks_total", task=task, outcome="success") == 1
    assert value(text, "lti_provider_errors_total", code="unavailable", status="503") == 1


def test_queue_depth_is_read_from_the_broker(
    client: Client, metrics_on: None, settings: Any
) -> None:
    if not str(settings.CELERY_BROKER_URL).startswith("redis"):
        pytest.skip("the broker is not Redis here (no REDIS_URL)")
    settings.CELERY_TASK_ROUTES = {"lti_tool.tasks.send_score": {"queue": "grades-test"}}
    from config.celery import app

    with app.connection_for_write() as connection:  # one message waiting in a routed queue
        connection.default_channel.client.rpush("grades-test", "{}")
    try:
        text = scrape(client)
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.client.delete("grades-test")
    assert value(text, "lti_celery_queue_depth", queue="celery") >= 0
    assert value(text, "lti_celery_queue_depth", queue="grades-test") == 1


def test_redis_down_never_fails_a_request_and_keeps_the_counts(settings: Any) -> None:
    import socket

    from lti_tool.ops.metrics import PLAYBACKS
    from lti_tool.ops.shared_metrics import SharedMetrics

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.METRICS_FLUSH_SECONDS = 0
    metrics = SharedMetrics()
    metrics.inc(PLAYBACKS, outcome="ok")  # flushes, fails, pauses: no exception
    metrics.inc(PLAYBACKS, outcome="ok")  # paused: only buffered
    assert sum(metrics._pending[PLAYBACKS.key].values()) == 2
