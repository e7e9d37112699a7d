"""The token endpoint: client_credentials with a JWT client assertion signed by the tool."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from dev_lms.tool_jwt import ToolJwtError, fetch_tool_jwks
from tests.dev_lms.tool import (
    AGS_SCOPE,
    NRPS_SCOPE,
    TOOL_JWKS_URL,
    ToolKey,
    assertion_claims,
)

pytestmark = pytest.mark.urls("tests.dev_lms.urls")

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def token_request(client: Client, assertion: str, **overrides: str) -> Any:
    params = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": f"{AGS_SCOPE}score {NRPS_SCOPE}",
        **overrides,
    }
    return client.post("/dev-lms/token/", params)


def test_a_correctly_signed_assertion_gets_a_bearer_token(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    response = token_request(client, tool_key.sign(assertion_claims()))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 32
    assert body["scope"].split() == [AGS_SCOPE + "score", NRPS_SCOPE]
    assert response["Cache-Control"].startswith("max-age=0")
    assert tool_jwks == [TOOL_JWKS_URL]  # the key comes from the tool's own JWKS


def test_each_token_is_new(client: Client, tool_key: ToolKey, tool_jwks: list[str]) -> None:
    first = token_request(client, tool_key.sign(assertion_claims())).json()["access_token"]
    second = token_request(client, tool_key.sign(assertion_claims())).json()["access_token"]

    assert first != second


def test_only_offered_scopes_are_granted(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    response = token_request(
        client, tool_key.sign(assertion_claims()), scope=f"https://example.com/x {AGS_SCOPE}score"
    )

    assert response.json()["scope"] == AGS_SCOPE + "score"


def test_no_offered_scope_is_invalid_scope(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    response = token_request(client, tool_key.sign(assertion_claims()), scope="https://x.example/y")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_an_assertion_is_single_use(
    client: Client, tool_key: ToolKey, tool_jwks: list[str]
) -> None:
    assertion = tool_key.sign(assertion_claims())

    assert token_request(client, assertion).status_code == 200
    replay = token_request(client, assertion)

    assert replay.status_code == 401
    assert replay.json() == {
        "error": "invalid_client",
        "error_description": "This client_assertion (jti) was already used.",
    }


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": "http://testserver/dev-lms"}, "aud must be http://testserver/dev-lms/token/"),
        ({"iss": "someone-else", "sub": "someone-else"}, "iss must be the client id"),
        ({"sub": "someone-else"}, "sub must be the client id"),
        ({"exp": 1_000_000}, "expired"),
        ({"exp": "<absent>"}, "exp claim is missing"),
        ({"iat": "<absent>"}, "iat claim is missing"),
        ({"jti": "<absent>"}, "jti claim is missing"),
    ],
)
def test_a_bad_assertion_is_refused(
    client: Client, tool_key: ToolKey, tool_jwks: list[str], claims: dict[str, Any], message: str
) -> None:
    response = token_request(client, tool_key.sign(assertion_claims(**claims)))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert message in response.json()["error_description"]


def test_an_assertion_signed_with_another_key_is_refused(
    client: Client, other_key: ToolKey, tool_jwks: list[str]
) -> None:
    response = token_request(client, other_key.sign(assertion_claims()))

    assert response.status_code == 401
    assert "signature does not verify" in response.json()["error_description"]


def test_an_unknown_kid_is_refused(client: Client, tool_key: ToolKey, tool_jwks: list[str]) -> None:
    response = token_request(client, tool_key.sign(assertion_claims(), kid="rotated-away"))

    assert response.status_code == 401
    assert "no key with kid 'rotated-away'" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type", "client_credentials"),
        ({"client_assertion_type": "basic"}, "invalid_request", "client_assertion_type"),
        ({"client_assertion": ""}, "invalid_request", "client_assertion is missing"),
        ({"client_assertion": "not-a-jwt"}, "invalid_client", "not a JWT"),
    ],
)
def test_a_malformed_request_is_refused(
    client: Client, tool_jwks: list[str], overrides: dict[str, str], error: str, message: str
) -> None:
    response = token_request(client, "", **{"client_assertion": "x", **overrides})

    assert response.status_code in (400, 401)
    assert response.json()["error"] == error
    assert message in response.json()["error_description"]


# --- Fetching the tool's JWKS over HTTP ----------------------------------------------------


@pytest.fixture
def jwks_server(tool_key: ToolKey) -> Iterator[str]:
    """A tiny HTTP server publishing the tool's JWKS, as the real tool does."""
    body = json.dumps({"keys": [tool_key.jwk()]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = 200 if self.path == "/lti/jwks/" else 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if status == 200 else b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_tool_jwks_is_fetched_over_http(jwks_server: str, tool_key: ToolKey) -> None:
    assert fetch_tool_jwks(jwks_server + "/lti/jwks/") == {"keys": [tool_key.jwk()]}


def test_an_unreachable_jwks_says_where_it_looked(jwks_server: str) -> None:
    with pytest.raises(ToolJwtError, match="Could not fetch the tool's JWKS from .*/nowhere/"):
        fetch_tool_jwks(jwks_server + "/nowhere/")
