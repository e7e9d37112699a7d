"""The OIDC login and the launch, with checks pylti1p3 leaves out.

Added on top of pylti1p3: the audience must hold our client id and several audiences
need a matching `azp`; `exp` and `iat` are required (with a little leeway for LMS clocks);
only RS256; the nonce is bound to the login's state and consumed once, after the signature
is verified; the platform's JWKS is fetched with a timeout, cached, and fetched again once
when a new `kid` appears. Each failed step raises a `LaunchError` with a sentence for the
person who clicked the link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
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
_JWKS_REFETCH_INTERVAL = 60
# LMS clocks drift: PyJWT's default leeway of 0 refuses a token "issued" one second ahead.
_CLOCK_SKEW_SECONDS = 60


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
    login = ToolOIDCLogin(request)
    try:
        return login.redirect(launch_url)
    except (OIDCException, LtiException) as exc:
        raise LaunchError("registration", STEP_MESSAGES["registration"], str(exc)) from exc


def _request_adapter(request: HttpRequest) -> Any:
    from pylti1p3.contrib.django.request import DjangoRequest

    return DjangoRequest(request)


class ToolOIDCLogin(DjangoOIDCLogin):  # type: ignore[misc]
    def __init__(self, request: HttpRequest) -> None:
        self.nonces = NonceStore()
        super().__init__(
            request, DatabaseToolConf(), session_service=self.nonces,
            cookie_service=IframeCookieService(_request_adapter(request)),
        )

    def _prepare_redirect_url(self, launch_url: str) -> str:
        # pylti1p3 saves the nonce on its own; tie it to this login's state, so that a token
        # only launches in the browser whose login asked for it.
        url: str = super()._prepare_redirect_url(launch_url)
        params = parse_qs(urlsplit(url).query)
        self.nonces.bind_nonce(nonce=params["nonce"][-1], state=params["state"][-1])
        return url


class ToolMessageLaunch(DjangoMessageLaunch):  # type: ignore[misc]
    def __init__(self, request: HttpRequest) -> None:
        self.tool_conf = DatabaseToolConf()
        self.nonces = NonceStore()
        super().__init__(
            request, self.tool_conf, session_service=self.nonces,
            cookie_service=IframeCookieService(_request_adapter(request)),
        )
        # Only the signature here: exp and iat are checked in validate_claims, with leeway.
        self.set_jwt_verify_options(
            {"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_nbf": False}
        )

    @property
    def platform(self) -> PlatformRegistration:
        assert self.tool_conf.platform is not None
        return self.tool_conf.platform

    def validate(self) -> ToolMessageLaunch:
        self._validated = True  # pylti1p3 re-enters validate() from its getters otherwise
        steps: list[tuple[str, Callable[[], object]]] = [
            ("format", self._get_id_token),  # else a missing id_token reads as a state error
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

    def validate_jwt_format(self) -> ToolMessageLaunch:
        super().validate_jwt_format()
        # Valid JSON is not enough: a list or a string would fail later as "not registered".
        if not isinstance(self._jwt["header"], dict) or not isinstance(self._jwt["body"], dict):
            raise LtiException("The JWT header and body must be JSON objects")
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
        try:  # the signature step has verified this very token; here only its times count
            jwt.decode(
                self._get_id_token(), leeway=_CLOCK_SKEW_SECONDS,
                options={
                    "verify_signature": False, "verify_exp": True, "verify_iat": True,
                    "verify_nbf": True, "require": ["exp", "iat"],
                },
            )
        except jwt.InvalidTokenError as exc:
            raise LtiException(f"Token times: {exc}") from exc

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        if self._jwt.get("header", {}).get("alg") != "RS256":
            raise LtiException("Only RS256 is accepted")
        try:
            return super().validate_jwt_signature()  # type: ignore[no-any-return]
        except LtiException as exc:
            if "Unable to find public key" not in str(exc) or not self._may_refetch_jwks():
                raise
        # A kid we have not seen: the platform may have rotated its key. Fetch once more.
        self._registration.set_key_set(self.fetch_public_key(self.platform.keyset_url, fresh=True))
        return super().validate_jwt_signature()  # type: ignore[no-any-return]

    def _may_refetch_jwks(self) -> bool:
        """At most one forced JWKS fetch per platform a minute: anyone can get a state from
        /lti/login/, so unknown kids must not make us hammer the LMS."""
        key = f"lti-jwks-refetch:{self.platform.pk}"
        return bool(cache.add(key, 1, timeout=_JWKS_REFETCH_INTERVAL))

    def consume_nonce(self) -> None:
        nonce = self._get_jwt_body().get("nonce")
        state = self._get_request_param("state")
        if not isinstance(nonce, str) or not self.nonces.consume_nonce(nonce=nonce, state=state):
            raise LtiException("Nonce unknown, issued for another login, or already used")

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
