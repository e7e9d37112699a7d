"""A stand-in for the tool in the dev LMS tests: its key, and the JWTs it signs."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISS = "http://testserver/dev-lms"
CLIENT_ID = "dev-lms-client"
TOKEN_URL = ISS + "/token/"
TOOL_JWKS_URL = "http://testserver/lti/jwks/"
LAUNCH_URL = "http://testserver/lti/launch/"
LOGIN_URL = "http://testserver/lti/login/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@dataclass(frozen=True)
class ToolKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls, kid: str) -> ToolKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid)

    def jwk(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def sign(self, claims: dict[str, Any], *, kid: str | None = None) -> str:
        headers = {"kid": kid or self.kid}
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)


def assertion_claims(**overrides: Any) -> dict[str, Any]:
    """A client assertion as the IMS Security Framework describes it."""
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 60,
        "jti": f"jti-{uuid.uuid4()}",
    }
    return _apply(claims, overrides)


def deep_linking_response_claims(*, data: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "aud": ISS,
        "iat": now,
        "exp": now + 300,
        "nonce": f"nonce-{uuid.uuid4()}",
        LTI + "deployment_id": "dev-deployment-1",
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "data": data,
        DL + "content_items": [
            {
                "type": "ltiResourceLink",
                "title": "Pitch your project",
                "text": "Two minutes, one take.",
                "url": LAUNCH_URL,
                "custom": {"max_seconds": "120", "who": "$User.id"},
                "lineItem": {"scoreMaximum": 10, "tag": "video", "resourceId": "pitch"},
            }
        ],
    }
    return _apply(claims, overrides)


def _apply(claims: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides replace claims; the value "<absent>" removes one."""
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value != "<absent>"}
