"""A tiny LTI tool for testing the platform itself: its own key pair, a login that sets a
`SameSite=None; Secure` state cookie, a launch that verifies the id_token and echoes it."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.lti_platform import LmsPlatform
from tests.lti_platform import claims as c
from tests.lti_platform.server import HttpServer, Request, Response, json_response, text_response

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeTool:
    def __init__(self, lms: LmsPlatform, key: rsa.RSAPrivateKey = KEY) -> None:
        self.lms = lms
        self.key = key
        self.kid = uuid.uuid4().hex
        self.nonces: dict[str, str] = {}
        self.fixed_nonce: str | None = None  # a broken tool that reuses its nonce
        self.errors: list[str] = []
        self.server = HttpServer(self.handle, self.errors.append)
        self.url = f"http://localhost:{self.server.port}"
        lms.tool_url = self.url

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid, **headers})

    def assertion(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.lms.client_id,
            "sub": self.lms.client_id,
            "aud": self.lms.token_url,
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
            **overrides,
        }
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def handle(self, request: Request) -> Response:
        if request.path == "/lti/jwks/":
            return json_response(200, self.jwks())
        if request.path == "/lti/login/":
            return self.login(request.query if request.method == "GET" else request.form())
        if request.path == "/lti/launch/":
            return self.launch(request)
        if request.path == "/lti/register/":
            return self.register(request.query)
        return text_response(404, "no")

    def login(self, params: dict[str, str]) -> Response:
        if params.get("lti_storage_target"):
            return self.storage_login(params)
        state, nonce = secrets.token_hex(8), self.fixed_nonce or secrets.token_hex(8)
        self.nonces[state] = nonce
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": params["client_id"],
            "redirect_uri": self.url + "/lti/launch/",
            "login_hint": params["login_hint"],
            "lti_message_hint": params["lti_message_hint"],
            "state": state,
            "nonce": nonce,
        }
        cookie = f"lti-state={state}; Path=/; HttpOnly; Secure; SameSite=None"
        return Response(
            302,
            b"",
            {"Location": self.lms.auth_login_url + "?" + urlencode(query), "Set-Cookie": cookie},
        )

    def launch(self, request: Request) -> Response:
        form = request.form()
        if form.get("lti_storage_target"):
            return self.storage_launch(form)
        if f"lti-state={form.get('state')}" not in (request.headers.get("Cookie") or ""):
            return text_response(400, "state cookie missing")
        keys = jwt.PyJWKClient(self.lms.keyset_url)
        key = keys.get_signing_key_from_jwt(form["id_token"]).key
        claims = jwt.decode(
            form["id_token"],
            key,
            algorithms=["RS256"],
            audience=self.lms.client_id,
            issuer=self.lms.issuer,
        )
        if claims["nonce"] != self.nonces.pop(form["state"]):
            return text_response(400, "nonce mismatch")
        return json_response(200, claims)

    def auth_query(self, params: dict[str, str], state: str, nonce: str) -> str:
        return (
            self.lms.auth_login_url
            + "?"
            + urlencode(
                {
                    "scope": "openid",
                    "response_type": "id_token",
                    "response_mode": "form_post",
                    "prompt": "none",
                    "client_id": params["client_id"],
                    "redirect_uri": self.url + "/lti/launch/",
                    "login_hint": params["login_hint"],
                    "lti_message_hint": params["lti_message_hint"],
                    "state": state,
                    "nonce": nonce,
                }
            )
        )

    def storage_login(self, params: dict[str, str]) -> Response:
        """The postMessage flow: keep the state in the platform's storage, not a cookie."""
        state, nonce = secrets.token_hex(8), secrets.token_hex(8)
        self.nonces[state] = nonce
        script = _STORAGE_JS % {
            "target": json.dumps(params["lti_storage_target"]),
            "origin": json.dumps(self.lms.url),
            "subject": '"lti.put_data"',
            "key": json.dumps("state_" + state),
            "value": json.dumps(state),
            "then": f"location.href = {json.dumps(self.auth_query(params, state, nonce))};",
        }
        return Response(
            200, f"<!doctype html><script>{script}</script>".encode(), {"Content-Type": "text/html"}
        )

    def storage_launch(self, form: dict[str, str]) -> Response:
        claims = jwt.decode(form["id_token"], options={"verify_signature": False})
        ok = claims["nonce"] == self.nonces.get(form["state"])
        script = _STORAGE_JS % {
            "target": json.dumps(form["lti_storage_target"]),
            "origin": json.dumps(self.lms.url),
            "subject": '"lti.get_data"',
            "key": json.dumps("state_" + form["state"]),
            "value": "undefined",
            "then": f"document.getElementById('out').textContent = "
            f"(m.value === {json.dumps(form['state'])} && {json.dumps(ok)}) "
            "? 'state ok' : 'state bad';",
        }
        return Response(
            200,
            f"<!doctype html><p id=out>waiting</p><script>{script}</script>".encode(),
            {"Content-Type": "text/html"},
        )

    def register(self, params: dict[str, str]) -> Response:
        """Dynamic registration, server side, as a tool does it."""
        bearer = {"Authorization": f"Bearer {params['registration_token']}"}
        fetched = requests.get(params["openid_configuration"], headers=bearer, timeout=5)
        if fetched.status_code != 200:
            return json_response(fetched.status_code, fetched.json())
        config = fetched.json()
        body = registration_body(self.url)
        answer = requests.post(
            config["registration_endpoint"], json=body, headers=bearer, timeout=5
        )
        return json_response(answer.status_code, answer.json())

    def stop(self) -> None:
        self.server.stop()


def registration_body(tool_url: str) -> dict[str, Any]:
    domain = tool_url.split("//", 1)[1]
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool_url + "/lti/login/",
        "redirect_uris": [tool_url + "/lti/launch/"],
        "client_name": "Fake video tool",
        "jwks_uri": tool_url + "/lti/jwks/",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(c.ALL_SCOPES),
        c.TOOL_CONFIGURATION: {
            "domain": domain,
            "target_link_uri": tool_url + "/lti/launch/",
            "claims": ["iss", "sub", "name", "email"],
            "messages": [
                {"type": "LtiDeepLinkingRequest", "target_link_uri": tool_url + "/lti/launch/"}
            ],
        },
    }


_STORAGE_JS = """
const target = %(target)s === "_parent" ? window.parent : window.parent.frames[%(target)s];
const origin = %(origin)s;
const id = Math.random().toString(36).slice(2);
window.addEventListener("message", function (event) {
  const m = event.data;
  if (event.origin !== origin || m.message_id !== id || m.error) return;
  %(then)s
});
target.postMessage({subject: %(subject)s, key: %(key)s, value: %(value)s, message_id: id},
                   origin);
"""
