"""Production settings: `check --deploy` is clean, health answers plain http inside the
network, everything else goes to https with HSTS, and the API docs are off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.fixtures.workers import database_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "p" * 20 + "-a-long-random-production-secret-value",
    "ALLOWED_HOSTS": "video.example.edu",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "BEHIND_HTTPS_PROXY": "1",
}

# Requests made with Django's test client under production settings, in a new Python.
PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
def answer(path, **headers):
    response = client.get(path, **headers)
    return {"status": response.status_code, "location": response.get("Location"),
            "hsts": response.get("Strict-Transport-Security"),
            "csp": response.get("Content-Security-Policy")}
https = {"HTTP_HOST": "video.example.edu", "HTTP_X_FORWARDED_PROTO": "https"}
print(json.dumps({
    "healthz_inside": answer("/healthz", HTTP_HOST="web:8000"),
    "jwks_http": answer("/lti/jwks/", HTTP_HOST="video.example.edu"),
    "jwks_https": answer("/lti/jwks/", **https),
    "docs_https": answer("/api/docs", **https),
    "schema_https": answer("/api/openapi.json", **https),
}))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEV_LMS", "API_DOCS"}}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def _check_deploy(static_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_once_static_files_are_collected(tmp_path: Path) -> None:
    static_root = tmp_path / "static"
    before = _check_deploy(static_root)
    assert before.returncode != 0
    assert "collectstatic" in before.stderr  # said at deploy time, not as a 500 on /admin/

    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=_env(STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    after = _check_deploy(static_root)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "no issues" in after.stdout


@pytest.fixture(scope="module")
def answers(django_db_setup: None) -> dict[str, dict[str, object]]:
    # On the test database: a fresh machine has no other (the JWKS reads the tool's keys).
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_env(DATABASE_URL=database_url()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_health_answers_plain_http_from_inside(answers: dict[str, dict[str, object]]) -> None:
    """A container's health check sends its own Host over http: no redirect, no 400."""
    assert answers["healthz_inside"]["status"] == 200


def test_everything_else_redirects_to_https_with_hsts(
    answers: dict[str, dict[str, object]],
) -> None:
    assert answers["jwks_http"]["status"] == 301
    assert answers["jwks_http"]["location"] == "https://video.example.edu/lti/jwks/"
    assert answers["jwks_https"]["status"] == 200
    assert answers["jwks_https"]["hsts"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'self'" in str(answers["jwks_https"]["csp"])


def test_api_docs_are_off_in_production(answers: dict[str, dict[str, object]]) -> None:
    assert answers["docs_https"]["status"] == 404
    assert answers["schema_https"]["status"] == 200  # the front end's types come from it
