"""The root of the test suite: which fixture modules are on, the order (browser tests last),
and the autouse fixtures that apply to every test (isolated storage and cache; RSA keys
from a session pool; a quicker flush after transactional tests).

Fixtures live in tests/fixtures/ and are registered here once; tests ask for them by name
and never import them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from lti_tool.lti.platform_keys import forget_platform_keys
from lti_tool.lti.tool_conf import forget_registrations
from lti_tool.selectors.tenant_limits import forget_tenant_limits
from storage_backends.registry import reset_backends
from tests.ci import IN_CI
from tests.fixtures.database import truncate_filled_tables
from tests.keys import pooled_rsa_keys

pytest_plugins = [
    "tests.fixtures.platform",
    "tests.fixtures.lms",
    "tests.fixtures.live_api",
    "tests.fixtures.storage",
    "tests.fixtures.browser",
    "tests.fixtures.workers",
    "tests.fixtures.claims",
    "tests.plugins.no_io_in_transaction",
]


def pytest_configure(config: pytest.Config) -> None:
    """Under CI the integration services are mandatory: a missing one fails the run."""
    # Test users (the admin's) need no slow password hash: PBKDF2 costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not IN_CI:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(f"CI=true needs DATABASE_URL to PostgreSQL, got {engine}")
    if not settings.REDIS_URL:
        raise pytest.UsageError("CI=true needs REDIS_URL")
    import redis

    redis.Redis.from_url(settings.REDIS_URL).ping()  # raises when Redis is down


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive Chromium run last (in their order), so one browser serves them all
    and Django's async-safety check stays on for everything before (tests/fixtures/browser.py)."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session", autouse=True)
def _session_rsa_keys() -> Iterator[None]:
    """Every 2048-bit RSA key a test, a fake or the tool generates comes from tests/keys.py's
    ring: at ~60 ms a key and two or three keys a test, making them was a large fixed cost."""
    with pooled_rsa_keys():
        yield


@pytest.fixture(scope="session", autouse=True)
def _quick_flush() -> Iterator[None]:
    """Transactional tests end by emptying the database: only the tables that hold rows
    (tests/fixtures/database.py)."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        yield
        return
    with truncate_filled_tables():
        yield


@pytest.fixture(autouse=True)
def _isolated_storage(tmp_path: Path, settings: Any) -> Iterator[None]:
    """Each test gets its own video folder and an empty cache (nonces, JWKS), also the
    registrations and platform keys a process keeps."""
    settings.VIDEO_STORAGE = {
        "BACKEND": "storage_backends.local.LocalBackend",
        "OPTIONS": {"root": str(tmp_path / "videos")},
    }
    settings.DATA_DIR = tmp_path
    reset_backends()
    cache.clear()
    forget_registrations()
    forget_platform_keys()
    forget_tenant_limits()
    yield
    reset_backends()
