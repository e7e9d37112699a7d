"""Driving the dev LMS's half of a launch, and checking its id_token as a tool would."""

from __future__ import annotations

import re
from typing import Any

import jwt
from django.test import Client

ISS = "http://testserver/dev-lms"
LAUNCH_URL = "http://testserver/lti/launch/"


def auth_params(**overrides: str) -> dict[str, str]:
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": "dev-lms-client",
        "redirect_uri": LAUNCH_URL,
        "login_hint": "ada",
        "lti_message_hint": "dev-assignment-1",
        "nonce": "nonce-123",
        "state": "state-456",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value != "<absent>"}


def form_field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def verified_claims(client: Client, id_token: str) -> dict[str, Any]:
    """Verify the token as a tool would: with the key the JWKS endpoint publishes."""
    keys = client.get("/dev-lms/jwks/").json()["keys"]
    kid = jwt.get_unverified_header(id_token)["kid"]
    jwk = next(key for key in keys if key["kid"] == kid)
    return jwt.decode(
        id_token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience="dev-lms-client", issuer=ISS
    )


def launch_claims(client: Client, **params: str) -> dict[str, Any]:
    """The verified id_token claims of a launch; `params` override the auth request's."""
    response = client.get("/dev-lms/auth/", auth_params(**params))
    assert response.status_code == 200, response.content
    return verified_claims(client, form_field(response.content.decode(), "id_token"))
