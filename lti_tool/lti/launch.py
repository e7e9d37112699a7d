"""The OIDC login and the launch, with checks pylti1p3 leaves out.

Added on top of pylti1p3: the audience must hold our client id and several audiences
need a matching `azp`; `exp` and `iat` are required; only RS256; the nonce is consumed
once, after the signature is verified; the platform's JWKS is fetched with a timeout,
cached, and fetched again once when a new `kid` appears. Each failed step raises a
`LaunchError` with a sentence for the person who clicked the link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from lti_tool.lti.storage import IframeCookieService, NonceStore
from lti_tool.lti.tool_conf import DatabaseToolConf
from lti_tool.models import PlatformRegistration

_JWKS_TIMEOUT = 5


class LaunchError(Exception):
    def __init__(self, step: str, message: str, detail: str = "") -> None:
        super().__init__(f"{step}: {detail or message}")
        self.step = step
        self.message = message
        self.detail = detail


_RELAUNCH = "Please go back to your course and open the activity again."
STEP_MESSAGES: dict[str, str] = {
    "state": "Your browser did not bring back the login state of this launch. " + _RELAUNCH,
    "format": "The launch message from your learning platform could not be read.",
    "registration": "This learning platform is not registered with the video tool. "
    "Ask your platform administrator to register it.",
    "signature": "The launch message's signature could not be verified, so it was refused.",
    "claims": "The launch message is expired or was not addressed to this tool. " + _RELAUNCH,
    "deployment": "This deployment of the tool is not registered for your platform. "
    "Ask your platform administrator to add its deployment id.",
    "message": "The launch message is missing information the tool needs "
    "(user, roles, resource link or LTI version).",
    "nonce": "This launch link was already used or has expired. " + _RELAUNCH,
}


def oidc_login(request: HttpRequest, launch_url: str) -> Any:
    """Answer a third-party initiated login with the redirect to the platform."""
    login = DjangoOIDCLogin(
        request, DatabaseToolConf(), session_service=NonceStore(),
        cookie_service=IframeCookieService(_request_adapter(request)),
    )
    try:
        return login.redirect(launch_url)
    except (OIDCException, LtiException) as exc:
        raise LaunchError("registration", STEP_MESSAGES["registration"], str(exc)) from exc


def _request_adapter(request: HttpRequest) -> Any:
    from pylti1p3.contrib.django.request import DjangoRequest

    return DjangoRequest(request)


class ToolMessageLaunch(DjangoMessageLaunch):  # type: ignore[misc]
    def __init__(self, request: HttpRequest) -> None:
        self.tool_conf = DatabaseToolConf()
        super().__init__(
            request, self.tool_conf, session_service=NonceStore(),
            cookie_service=IframeCookieService(_request_adapter(request)),
        )
        self.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})

    @property
    def platform(self) -> PlatformRegistration:
        assert self.tool_conf.platform is not None
        return self.tool_conf.platform

    def validate(self) -> ToolMessageLaunch:
        self._validated = True  # pylti1p3 re-enters validate() from its getters otherwise
        steps: list[tuple[str, Callable[[], object]]] = [
            ("state", self.validate_state),
            ("format", self.validate_jwt_format),
            ("registration", self.validate_registration),
            ("signature", self.validate_jwt_signature),
            ("claims", self.validate_claims),
            ("deployment", self.validate_deployment),
            ("message", self.validate_message),
            ("nonce", self.consume_nonce),
        ]
        for step, check in steps:
            try:
                check()
            except (LtiException, KeyError, TypeError, ValueError, AttributeError) as exc:
                self._validated = False
                raise LaunchError(step, STEP_MESSAGES[step], str(exc)) from exc
        return self

    def get_client_id(self) -> str:
        """`azp` names the client when present; otherwise the (first) audience."""
        body = self._get_jwt_body()
        if body.get("azp"):
            return str(body["azp"])
        aud = body.get("aud")
        if isinstance(aud, list):
            return str(aud[0]) if aud else ""
        return str(aud or "")

    def validate_claims(self) -> None:
        body = self._get_jwt_body()
        client_id = self.platform.client_id
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LtiException("Our client id is not in aud")
        if len(audiences) > 1 and not body.get("azp"):
            raise LtiException("Several audiences and no azp")
        if "azp" in body and body["azp"] != client_id:
            raise LtiException("azp is not our client id")

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        if self._jwt.get("header", {}).get("alg") != "RS256":
            raise LtiException("Only RS256 is accepted")
        try:
            return super().validate_jwt_signature()  # type: ignore[no-any-return]
        except LtiException as exc:
            if "Unable to find public key" not in str(exc):
                raise
        # A kid we have not seen: the platform may have rotated its key. Fetch once more.
        self._registration.set_key_set(self.fetch_public_key(self.platform.keyset_url, fresh=True))
        return super().validate_jwt_signature()  # type: ignore[no-any-return]

    def consume_nonce(self) -> None:
        nonce = self._get_jwt_body().get("nonce")
        if not nonce or not self._session_service.consume_nonce(nonce):
            raise LtiException("Nonce unknown or already used")

    def fetch_public_key(self, key_set_url: str, fresh: bool = False) -> dict[str, Any]:
        cache_key = "lti-jwks:" + hashlib.sha256(key_set_url.encode()).hexdigest()
        if not fresh and (cached := cache.get(cache_key)):
            return cached  # type: ignore[no-any-return]
        try:
            response = requests.get(key_set_url, timeout=_JWKS_TIMEOUT)
            response.raise_for_status()
            keys = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise LtiException(f"Cannot fetch the platform JWKS: {exc}") from exc
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise LtiException("The platform JWKS has no keys")
        cache.set(cache_key, keys, timeout=settings.LTI_JWKS_CACHE_TTL)
        return keys
