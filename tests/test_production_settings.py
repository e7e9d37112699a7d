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


def _load_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DEV_LMS"}}
    env.update(SAFE)
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = "import django; django.setup(); from django.conf import settings; " \
           "print(settings.DEBUG, settings.DEV_LMS_ENABLED)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_safe_production_settings_start_without_debug_or_dev_lms() -> None:
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"DEBUG": "1"}, "DEBUG is on"),
    ({"SECRET_KEY": "dev-insecure-secret-key-change-me"}, "SECRET_KEY"),
    ({"DEV_LMS": "1"}, "DEV_LMS is on"),
    ({"FIELD_ENCRYPTION_KEYS": ""}, "FIELD_ENCRYPTION_KEYS"),
    ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
])
def test_insecure_production_settings_refuse_to_start(overrides: dict[str, str],
                                                      reason: str) -> None:
    result = _load_settings(**overrides)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert reason in result.stderr
