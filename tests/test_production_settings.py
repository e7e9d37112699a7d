"""Production settings refuse to start with insecure values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

SAFE = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value",
    "ALLOWED_HOSTS": "video.example.edu",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


INSECURE = [
    ({"DEBUG": "1"}, "DEBUG is on"),
    ({"SECRET_KEY": "dev-insecure-secret-key-change-me"}, "SECRET_KEY"),
    ({"DEV_LMS": "1"}, "DEV_LMS is on"),
    ({"FIELD_ENCRYPTION_KEYS": ""}, "FIELD_ENCRYPTION_KEYS"),
    ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
]


def _start(**overrides: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEV_LMS"}}
    env.update(SAFE)
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.DEV_LMS_ENABLED)"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def loaded() -> dict[str, subprocess.CompletedProcess[str]]:
    """Each variant loads the settings in a new Python (~0.5 s to start Django): all at once."""
    started = {"safe": _start(), **{reason: _start(**env) for env, reason in INSECURE}}
    return {name: _finish(process) for name, process in started.items()}


def test_safe_production_settings_start_without_debug_or_dev_lms(
    loaded: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    result = loaded["safe"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(("overrides", "reason"), INSECURE)
def test_insecure_production_settings_refuse_to_start(
    overrides: dict[str, str], reason: str, loaded: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = loaded[reason]
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert reason in result.stderr
