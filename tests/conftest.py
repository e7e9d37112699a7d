from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from storage_backends.registry import reset_backends
from tests.platform import INSTRUCTOR, LEARNER, TestPlatform, parse_login_redirect, serve_platform

IN_CI = os.environ.get("CI", "").lower() == "true"
pytest_plugins = ["tests.lti_platform.fixtures", "tests.plugins.no_io_in_transaction"]


def pytest_configure(config: pytest.Config) -> None:
    """Under CI the integration services are mandatory: a missing one fails the run."""
    if not IN_CI:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"CI=true needs DATABASE_URL to PostgreSQL, got {engine}")
    if not settings.REDIS_URL:
        raise pytest.UsageError("CI=true needs REDIS_URL")
    import redis

    redis.Redis.from_url(settings.REDIS_URL).ping()  # raises when Redis is down


@pytest.fixture(autouse=True)
def _isolated_storage(tmp_path: Path, settings: Any) -> Iterator[None]:
    """Each test gets its own video folder and an empty cache (nonces, JWKS)."""
    settings.VIDEO_STORAGE = {
        "BACKEND": "storage_backends.local.LocalBackend",
        "OPTIONS": {"root": str(tmp_path / "videos")},
    }
    settings.DATA_DIR = tmp_path
    reset_backends()
    cache.clear()
    yield
    reset_backends()


@pytest.fixture
def platform() -> Iterator[TestPlatform]:
    test_platform, server = serve_platform()
    yield test_platform
    server.shutdown()


@pytest.fixture
def registered_platform(db: None, platform: TestPlatform) -> TestPlatform:
    """The platform registered the way an administrator does it: the management command."""
    call_command(
        "register_platform", "--tenant", "Test University", "--issuer", platform.issuer,
        "--client-id", platform.client_id, "--auth-login-url", platform.auth_login_url,
        "--auth-token-url", platform.token_url, "--keyset-url", platform.keyset_url,
        "--deployment-id", platform.deployment_id, stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    return platform


class LaunchDriver:
    """Drives login -> (platform) -> launch through a Django test client."""

    def __init__(self, client: Client, platform: TestPlatform) -> None:
        self.client = client
        self.platform = platform

    def login(self, **extra: str) -> dict[str, str]:
        response = self.client.get("/lti/login/", {
            "iss": self.platform.issuer, "login_hint": "user", "client_id": self.platform.client_id,
            "target_link_uri": "http://testserver/lti/launch/", "lti_message_hint": "hint",
            "lti_deployment_id": self.platform.deployment_id, **extra,
        })
        assert response.status_code == 302, response.content
        return parse_login_redirect(response["Location"])

    def post(self, id_token: str, state: str) -> Any:
        return self.client.post("/lti/launch/", {"id_token": id_token, "state": state})

    def launch(self, **claim_overrides: Any) -> Any:
        params = self.login()
        token = self.platform.sign(self.platform.claims(nonce=params["nonce"], **claim_overrides))
        return self.post(token, params["state"])


@pytest.fixture
def launcher(client: Client, registered_platform: TestPlatform) -> LaunchDriver:
    return LaunchDriver(client, registered_platform)


def launch_token_from(response: Any) -> str:
    """The launch token the page hands its JavaScript."""
    return response.context["launch_data"]["token"]


__all__ = ["INSTRUCTOR", "LEARNER", "LaunchDriver", "launch_token_from"]
