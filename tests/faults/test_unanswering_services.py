"""A database or Redis that accepts connections but never answers: gunicorn's requests end
in seconds (connect and socket timeouts) with a 503 and a sentence, the tool's page or the
API's JSON, instead of hanging for the worker timeout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import OperationalError, connection

from lti_tool.errors import ServiceUnavailable, outage_error
from lti_tool.launch_tokens import LaunchClaims, launch_token_issue
from tests.fixtures.workers import free_port

OUTAGE = "The service is briefly unavailable"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose listener takes connections (the kernel completes the handshake) and
    never answers: a stuck database or Redis."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield int(listener.getsockname()[1])


@pytest.fixture
def gunicorn(silent_port: int, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{silent_port}/stuck",
        "REDIS_URL": f"redis://127.0.0.1:{silent_port}/0",
        "CELERY_EAGER": "0",
        "DB_CONNECT_TIMEOUT": "2",
        "REDIS_TIMEOUT": "1",
        "DEBUG": "0",
        "DATA_DIR": str(tmp_path),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # listening: gunicorn is up
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _timed_get(url: str, **kwargs: object) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=20, **kwargs)  # type: ignore[arg-type]
    return response, time.monotonic() - started


def test_a_stuck_database_and_redis_are_a_quick_503_page_and_json(gunicorn: str) -> None:
    page, took = _timed_get(
        f"{gunicorn}/lti/login/", params={"iss": "https://lms.example", "login_hint": "1"}
    )
    assert page.status_code == 503 and took < 8, (page.status_code, took)
    assert OUTAGE in page.text and "<html" in page.text.lower()

    token = launch_token_issue(LaunchClaims(1, 1, 1, 1, "student"))
    api, took = _timed_get(
        f"{gunicorn}/api/my-submission", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 503 and took < 8, (api.text, took)
    assert api.json()["code"] == "service_unavailable"
    assert api.json()["message"].startswith(OUTAGE)


@pytest.mark.django_db
def test_a_statement_over_the_timeout_is_cancelled_and_answered_as_an_outage() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's")
    assert "statement_timeout=" in connection.settings_dict["OPTIONS"]["options"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 100")
        with pytest.raises(OperationalError) as cancelled:
            cursor.execute("SELECT pg_sleep(5)")
    assert isinstance(outage_error(cancelled.value), ServiceUnavailable)
