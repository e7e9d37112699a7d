from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.dev_lms.tool import TOKEN_URL, ToolKey, assertion_claims


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    # One platform key for the session: generating RSA keys per test would be slow.
    return tmp_path_factory.mktemp("data")


@pytest.fixture(autouse=True)
def dev_lms_settings(settings: Any, data_dir: Any) -> None:
    settings.DATA_DIR = data_dir
    if "dev_lms" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "dev_lms"]


@pytest.fixture(autouse=True)
def fresh_lms_state(data_dir: Any) -> None:
    """Each test starts with the course as shipped: no deep-linked links, no scores."""
    (data_dir / "dev-lms" / "state.json").unlink(missing_ok=True)


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("dev_lms.views.platform_register", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture(scope="session")
def tool_key() -> ToolKey:
    return ToolKey.generate("tool-key-1")


@pytest.fixture(scope="session")
def other_key() -> ToolKey:
    """Not the tool's key, though it claims the tool's kid."""
    return ToolKey.generate("tool-key-1")


@pytest.fixture
def tool_jwks(monkeypatch: pytest.MonkeyPatch, tool_key: ToolKey) -> list[str]:
    """The tool's JWKS as the dev LMS fetches it; returns the URLs it was fetched from."""
    fetched: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return {"keys": [tool_key.jwk()]}

    monkeypatch.setattr("dev_lms.tool_jwt.fetch_tool_jwks", fetch)
    return fetched


@pytest.fixture
def get_token(client: Client, tool_key: ToolKey, tool_jwks: list[str]) -> Any:
    """Ask the token endpoint for an access token with the given scopes, as the tool does."""

    def get(*scopes: str) -> str:
        response = client.post(
            "/dev-lms/token/",
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": tool_key.sign(assertion_claims(aud=TOKEN_URL)),
                "scope": " ".join(scopes),
            },
        )
        assert response.status_code == 200, response.content
        return str(response.json()["access_token"])

    return get
