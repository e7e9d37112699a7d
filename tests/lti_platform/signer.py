"""The minimal LTI 1.3 platform of the tests (the fuller LMS is lms.py), independent of the tool.

It has its own RSA key, serves its JWKS over real HTTP, signs id_tokens with PyJWT, and
drives the OIDC third-party-initiated login against the tool like an LMS would.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@dataclass
class OidcRequest:
    """What the tool sent back to the platform's auth endpoint (the login redirect)."""

    params: dict[str, str]
    cookies: dict[str, str]

    @property
    def state(self) -> str:
        return self.params["state"]

    @property
    def nonce(self) -> str:
        return self.params["nonce"]


@dataclass
class TestPlatform:
    issuer: str
    client_id: str = "test-client"
    deployment_id: str = "deployment-1"
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    extra_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def auth_login_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def keyset_url(self) -> str:
        return self.issuer + "/jwks"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    def register_args(self, tenant: str) -> list[str]:
        """Arguments for `manage.py register_platform`, as an administrator types them."""
        return [
            *("--tenant", tenant, "--issuer", self.issuer, "--client-id", self.client_id),
            *("--auth-login-url", self.auth_login_url, "--auth-token-url", self.token_url),
            *("--keyset-url", self.keyset_url, "--deployment-id", self.deployment_id),
        ]

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public, *self.extra_keys]}

    def claims(
        self,
        *,
        nonce: str,
        sub: str = "student-1",
        roles: tuple[str, ...] = (LEARNER,),
        context_id: str = "course-1",
        resource_link_id: str = "link-1",
        name: str = "Student One",
        **overrides: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": name,
            "email": f"{sub}@example.edu",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": "http://tool.invalid/lti/launch/",
            LTI + "resource_link": {"id": resource_link_id, "title": "Video essay"},
            LTI + "context": {"id": context_id, "title": f"Course {context_id}"},
            LTI + "roles": list(roles),
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def sign(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        alg: str = "RS256",
    ) -> str:
        headers = {"kid": kid or self.kid}
        return jwt.encode(claims, key or self.key, algorithm=alg, headers=headers)


class _JwksHandler(BaseHTTPRequestHandler):
    platform: TestPlatform

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if urlparse(self.path).path != "/jwks":
            self.send_error(404)
            return
        body = json.dumps(self.server.platform.jwks()).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def serve_platform(**kwargs: Any) -> tuple[TestPlatform, ThreadingHTTPServer]:
    """Start a platform whose JWKS is served at http://127.0.0.1:<port>/jwks."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    platform = TestPlatform(issuer=f"http://127.0.0.1:{server.server_port}", **kwargs)
    server.platform = platform  # type: ignore[attr-defined]
    # A short poll interval: shutdown() waits for the loop to notice (0.5 s by default).
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return platform, server


def parse_login_redirect(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
