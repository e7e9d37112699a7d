"""The production processes for real: gunicorn (config/gunicorn.py), a Celery worker and a
Redis started on their own port. Readiness follows what is up; the app's and the access
log's lines are JSON and carry no secret after a student's upload and playback and a
dynamic registration.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings

from tests.fixtures.live_api import LiveApi, launch_token_from
from tests.fixtures.workers import RedisServer, database_url, free_port

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "live-metrics-token-0123456789abcdef"
pytestmark = [pytest.mark.integration]


def wait_until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Stack:
    """gunicorn and a Celery worker with the environment an operator gives them."""

    def __init__(self, workdir: Path, redis: RedisServer) -> None:
        self.workdir = workdir
        self.redis = redis
        self.port = free_port()
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        env.update(
            DATABASE_URL=database_url(),
            REDIS_URL=self.redis.url,
            DATA_DIR=str(self.workdir),
            VIDEO_LOCAL_ROOT=str(self.workdir / "videos"),
            # The registration's LMS stand-in serves plain http on 127.0.0.1, which the tool
            # accepts only with DEBUG on; the rest behaves as in production.
            DEBUG="1",
            DEV_LMS="0",
            LOG_FORMAT="json",
            METRICS_TOKEN=METRICS_TOKEN,
            METRICS_FLUSH_SECONDS="0",
            WORKER_HEARTBEAT_SECONDS="1",
            STORAGE_CHECK_CACHE_SECONDS="1",
        )
        env.update(extra)
        return env

    def start(self, name: str, command: list[str], **env: str) -> subprocess.Popen[bytes]:
        out = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env(**env), stdout=out, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start_web(self, name: str = "web", port: int | None = None, **env: str) -> str:
        port = port or self.port
        self.start(
            name,
            [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn", "config.wsgi"],
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="2",
            CELERY_EAGER="1",
            **env,
        )
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _get(url + "/healthz") == 200, 30, f"{name} to answer /healthz")
        return url

    def start_worker(self) -> None:
        celery = [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker"]
        options = ["--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.start("worker", [*celery, *options], CELERY_EAGER="0")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    def log_lines(self, name: str) -> list[str]:
        text = (self.workdir / f"{name}.log").read_text(errors="replace")
        # Celery prints its shutdown notice with print(), outside logging.
        return [
            line
            for line in text.splitlines()
            if line.strip() and not line.startswith("worker: Warm shutdown")
        ]


def _get(url: str) -> int | None:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return None


@pytest.fixture(scope="module")
def stack(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    workdir = tmp_path_factory.mktemp("stack")
    redis = RedisServer(workdir)
    redis.start()
    running = Stack(workdir, redis)
    try:
        running.start_web()
        running.start_worker()
        yield running
    finally:
        running.stop()
        redis.stop()


def readiness(url: str) -> tuple[int, dict[str, str]]:
    response = requests.get(url + "/readyz", timeout=30)
    return response.status_code, response.json()


def test_ready_with_a_worker_and_503_naming_redis_when_it_stops(
    stack: Stack, transactional_db: None
) -> None:
    wait_until(lambda: readiness(stack.url)[0] == 200, 30, "readiness with a live worker")
    status, checks = readiness(stack.url)
    assert set(checks.values()) == {"OK"}
    assert any(name.startswith("Worker") for name in checks)

    stack.redis.stop()
    try:
        started = time.monotonic()
        status, checks = readiness(stack.url)
        assert time.monotonic() - started < 15  # fails fast, no hang
        assert status == 503
        failed = {name.split("(")[0] for name, result in checks.items() if result != "OK"}
        assert {"Cache", "Broker"} <= failed
        assert checks["Database(alias='default')"] == "OK"
    finally:
        stack.redis.start()
    wait_until(lambda: readiness(stack.url)[0] == 200, 40, "readiness after Redis is back")


def test_production_web_answers_health_over_http_and_503_without_its_database(
    stack: Stack, transactional_db: None
) -> None:
    """gunicorn under production settings, its database unreachable: /healthz and /readyz
    answer plain http with any Host (a container's probe), the rest goes to https."""
    from cryptography.fernet import Fernet

    url = stack.start_web(
        "web-no-db",
        port=free_port(),
        DATABASE_URL=database_url(port=free_port()),
        APP_ENV="production",
        DEBUG="0",
        SECRET_KEY="s" * 20 + "-a-long-random-production-secret-value",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="video.example.edu",
        BEHIND_HTTPS_PROXY="1",
    )
    status, checks = readiness(url)
    assert status == 503
    assert checks["Database(alias='default')"].startswith("Unavailable")
    assert checks["Cache(alias='default')"] == "OK"
    page = requests.get(
        url + "/lti/jwks/", headers={"Host": "video.example.edu"}, allow_redirects=False, timeout=10
    )
    assert page.status_code == 301
    assert page.headers["Location"] == "https://video.example.edu/lti/jwks/"


def test_logs_are_json_without_secrets_after_playback_and_registration(
    stack: Stack,
    transactional_db: None,
    launcher: Any,
    sample_video: Path,
    moodle_lms: Any,
    lms_session: requests.Session,
) -> None:
    token = launch_token_from(launcher.launch())
    student = LiveApi(stack.url, token)
    submission = student.submit(sample_video)
    wait_until(lambda: student.submission(submission["id"])["state"] == "ready", 30, "verification")
    playback = student.get(f"/api/submissions/{submission['id']}/playback")
    assert playback.status_code == 200, playback.text
    video_url = playback.json()["url"]
    assert "signature=" in video_url
    played = requests.get(stack.url + video_url, headers={"Range": "bytes=0-99"}, timeout=10)
    assert played.status_code == 206
    moodle_lms.tool_url = stack.url
    registration_token = moodle_lms.registration_token
    confirm = moodle_lms.start_dynamic_registration(lms_session, stack.url + "/lti/register/")
    done = moodle_lms.follow_auto_post(lms_session, confirm, tenant_name="Log University")
    assert done.status_code == 200, done.text[:300]
    assert moodle_lms.registrations, "the LMS never received the registration"
    metrics = requests.get(
        stack.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert 'lti_playbacks_total{outcome="ok"}' in metrics.text

    time.sleep(0.5)  # gunicorn flushes its access lines after answering
    lines = stack.log_lines("web") + stack.log_lines("worker")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    text = "\n".join(lines)
    signature = video_url.split("signature=")[1].split("&")[0]
    for secret in (token, signature, registration_token, METRICS_TOKEN):
        assert secret not in text
    access = [r for r in records if r.get("logger") == "gunicorn.access"]
    played_line = next(r for r in access if r["path"].startswith(video_url.split("?")[0]))
    assert "signature=[redacted]" in played_line["path"]
    assert played_line["status"] == 206 and played_line["request_id"]
    api_lines = [r for r in records if r.get("user") and r.get("request_id")]
    assert api_lines, "no app log line carries the request id and user of an API request"


def test_a_workers_task_outcomes_reach_metrics_without_a_redis_call_per_task(
    stack: Stack, transactional_db: None
) -> None:
    """The worker counts in its buffer and a flusher sends it (METRICS_FLUSH_SECONDS is 0
    here: at once); an idle worker's counts are not left behind."""
    from config.celery import app

    task = "lti_tool.tasks.resend_due_scores"
    with app.connection_for_write(stack.redis.url) as connection:
        for _ in range(3):
            app.send_task(task, connection=connection)

    def counted() -> bool:
        metrics = requests.get(
            stack.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
        )
        return f'lti_celery_tasks_total{{outcome="success",task="{task}"}} 3.0' in metrics.text

    wait_until(counted, 30, "the worker's three task outcomes in /metrics")
