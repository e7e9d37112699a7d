"""The OIDC login and the launch, with checks pylti1p3 leaves out.

Added on top of pylti1p3: the audience must hold our client id and several audiences
need a matching `azp`; `exp` and `iat` are required (with a little leeway for LMS clocks);
only RS256; the nonce is bound to the login's state and consumed once, after the signature
is verified; the platform's JWKS is fetched with a timeout, cached, and fetched again once
when a new `kid` appears. Each failed step raises a `LaunchError` with a sentence for the
person who clicked the link.

Where the platform offers the LTI platform storage (`lti_storage_target`), the login page
also puts the state and nonce there, and a launch that comes back without the state cookie
is checked against that storage by our page in the browser before it is accepted: see
`StorageLogin` in storage.py for the flow and why it is safe.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pylti1p3.exception import LtiException, OIDCException

from lti_tool.errors import AppError, Message
from lti_tool.lti.platform_keys import ALGORITHM, platform_public_key, verify_rs256
from lti_tool.lti.pylti_django import DjangoMessageLaunch, DjangoOIDCLogin, DjangoRequest
from lti_tool.lti.storage import (
    RELAUNCH_PARAMS,
    IframeCookieService,
    NonceStore,
    Relaunches,
    StorageLogin,
    StorageLogins,
    remember_login,
)
from lti_tool.lti.tool_conf import DatabaseToolConf
from lti_tool.models import PlatformRegistration

_JWKS_REFETCH_INTERVAL = 60
# LMS clocks drift: PyJWT's default leeway of 0 refuses a token "issued" one second ahead.
_CLOCK_SKEW_SECONDS = 60

STORAGE_TARGET_PARAM = "lti_storage_target"
# The values our launch page read back from the platform storage, posted with the id_token.
STORAGE_PROOF_STATE = "lti_storage_state"
STORAGE_PROOF_NONCE = "lti_storage_nonce"
STORAGE_TIMEOUT_MS = 5000  # per postMessage answer; platforms answer in milliseconds
# The lti.capabilities handshake: a platform with storage answers at once; one without (e.g.
# Canvas's mobile apps, which still send lti_storage_target) never does.
CAPABILITIES_TIMEOUT_MS = 1500
# "_parent" or a frame name: the platform's frame that keeps the tool's data.
_FRAME_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class LaunchError(AppError):
    """A launch refused at one `step`: the person reads the step's sentence; the log also
    gets the `detail` (the library's reason)."""

    def __init__(self, step: str, message: Message, detail: str = "") -> None:
        super().__init__(f"launch_{step}", message, status=_STEP_STATUS.get(step, 403))
        self.step = step
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.step}: {self.detail or self.message}"


# What the browser sent is unreadable (400); the others are refusals (403).
_STEP_STATUS = {"state": 400, "format": 400, "message": 400}
_RELAUNCH = _("Please go back to your course and open the activity again.")
STEP_MESSAGES: dict[str, Message] = {
    "state": format_lazy(
        "{} {}", _("Your browser did not bring back the login state of this launch."), _RELAUNCH
    ),
    "format": _("The launch message from your learning platform could not be read."),
    "registration": _(
        "This learning platform is not registered with the video tool. "
        "Ask your platform administrator to register it."
    ),
    "signature": _("The launch message's signature could not be verified, so it was refused."),
    "claims": format_lazy(
        "{} {}", _("The launch message is expired or was not addressed to this tool."), _RELAUNCH
    ),
    "deployment": _(
        "This deployment of the tool is not registered for your platform. "
        "Ask your platform administrator to add its deployment id."
    ),
    "message": _(
        "The launch message is missing information the tool needs "
        "(user, roles, resource link or LTI version)."
    ),
    "nonce": format_lazy(
        "{} {}", _("This launch link was already used or has expired."), _RELAUNCH
    ),
}


# Why a launch lost its state, when the login is known: the cookie did not come back.
COOKIE_BLOCKED_MESSAGE = _(
    "Your browser did not bring back the login state of this launch: it blocks the video "
    "tool's cookies inside your course page, and your learning platform does not offer the "
    "storage the tool could use instead. Open the tool in a new window to continue."
)
STORAGE_FAILED_MESSAGE = _(
    "Your browser did not bring back the login state of this launch: it blocks the video "
    "tool's cookies inside your course page, and your learning platform's storage did not "
    "confirm it. Open the tool in a new window to continue."
)


class StateLost(LaunchError):
    """The launch came back without its state cookie from a login we know: the page says
    why and offers `relaunch_url`, the same login in a new window (first-party cookies)."""

    def __init__(self, relaunch_url: str, detail: str) -> None:
        super().__init__("state", COOKIE_BLOCKED_MESSAGE, detail)
        self.relaunch_url = relaunch_url


def relaunch_url(state: str) -> str | None:
    """The tool's login URL that starts the login of `state` again, if it is still known."""
    query = Relaunches().query(state)
    return f"{reverse('lti:login')}?{query}" if query else None


class StorageCheckRequired(Exception):  # not an error: a step of the launch
    """The launch is valid but came without the state cookie: before it is accepted, our page
    must read the state and nonce back from the platform storage in the browser."""

    def __init__(self, login: StorageLogin, id_token: str, platform_origins: list[str]) -> None:
        super().__init__("platform storage check")
        self.login = login
        self.id_token = id_token
        self.platform_origins = platform_origins  # from the verified id_token


@dataclass(frozen=True)
class OidcLoginStart:
    """Where the login sends the browser, and the platform-storage login if there is one."""

    auth_url: str
    storage: StorageLogin | None
    cookies: IframeCookieService

    def finish(self, response: HttpResponse) -> HttpResponse:
        """Set the state cookie (kept where third-party cookies are allowed)."""
        self.cookies.update_response(response)
        return response


def oidc_login(request: HttpRequest, launch_url: str) -> OidcLoginStart:
    """Answer a third-party initiated login: the platform's auth URL with state and nonce."""
    login = ToolOIDCLogin(request)
    try:
        auth_url: str = login.get_redirect_object(launch_url).get_redirect_url()
    except (OIDCException, LtiException) as exc:
        raise LaunchError("registration", STEP_MESSAGES["registration"], str(exc)) from exc
    return OidcLoginStart(auth_url=auth_url, storage=login.storage_login, cookies=login.cookies)


def storage_page_config(
    login: StorageLogin, *, next_url: str = "", platform_origins: list[str] | None = None
) -> dict[str, Any]:
    """What lti-storage.js needs: `put` at login (then go to `next_url`), `check` at launch.

    `platform_origins` (at launch): the origins the platform's own signed id_token names,
    whose storage answers count when the platform only answers messages sent to "*"."""
    return {
        "mode": "put" if next_url else "check",
        "target": login.target,
        "origin": login.origin,
        "items": [
            {"key": login.state_key, "value": login.state},
            {"key": login.nonce_key, "value": login.nonce},
        ],
        "next": next_url,
        "timeoutMs": STORAGE_TIMEOUT_MS,
        "capabilitiesTimeoutMs": CAPABILITIES_TIMEOUT_MS,
        "trustedOrigins": sorted({login.origin, *(platform_origins or [])}),
        "proofFields": [STORAGE_PROOF_STATE, STORAGE_PROOF_NONCE],
        "error": str(STORAGE_FAILED_MESSAGE),
        "relaunchUrl": "" if next_url else (relaunch_url(login.state) or ""),
        "relaunchLabel": str(_("Open in a new window")),
    }


def sent_by_own_page(request: HttpRequest) -> bool:
    """Whether the browser says a page of our own origin sent this request.

    Fetch Metadata first (`Sec-Fetch-Site`, which pages cannot set); browsers without it
    still send `Origin` with a POST. Neither header: refused.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


def _storage_target(value: str | None) -> str | None:
    return value if value and _FRAME_NAME.fullmatch(value) else None


def _origin(url: str) -> str | None:
    """The origin a browser reports for `url` (lower-case host, default port left out)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown_port = f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{shown_port}"


def _token_times_problem(body: Mapping[str, object], *, now: float) -> str | None:
    """What is wrong with `exp`, `iat` and `nbf` (PyJWT's rules, `_CLOCK_SKEW_SECONDS` of
    leeway; `exp` and `iat` required), or None."""
    times: dict[str, float] = {}
    for name in ("exp", "iat", "nbf"):
        value = body.get(name)
        if value is None:
            if name != "nbf":
                return f"{name} is missing"
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name} is not a number"
        times[name] = value
    if times["exp"] <= now - _CLOCK_SKEW_SECONDS:
        return "the token has expired"
    if times["iat"] > now + _CLOCK_SKEW_SECONDS:
        return "the token was issued in the future"
    if times.get("nbf", now) > now + _CLOCK_SKEW_SECONDS:
        return "the token is not yet valid"
    return None


def _request_adapter(request: HttpRequest) -> DjangoRequest:
    return DjangoRequest(request)


class _LoginRequest(DjangoRequest):
    """The login's request for pylti1p3, which reads a parameter a dozen times per login:
    from the query, then from the form only if there is one. pylti1p3's own reads the form on
    every call, which on a GET parses an empty body (bench/README.md: the login's CPU)."""

    def get_param(self, key: str) -> str:
        request = self._request
        value = request.GET.get(key)
        if value is None and request.method == "POST":
            value = request.POST.get(key)
        return value  # type: ignore[return-value]  # None when absent, as pylti1p3's own


class ToolOIDCLogin(DjangoOIDCLogin):
    def __init__(self, request: HttpRequest) -> None:
        adapter = _LoginRequest(request)  # one for pylti1p3 and our cookies, not one each
        self.nonces = NonceStore()
        self.cookies = IframeCookieService(adapter)
        self.storage_login: StorageLogin | None = None
        super().__init__(
            adapter, DatabaseToolConf(), session_service=self.nonces, cookie_service=self.cookies
        )

    def _generate_nonce(self) -> str:
        # 256 random bits. pylti1p3's joins a uuid4 and a uuid1, and a uuid1 carries this
        # machine's network address and clock to the platform.
        return secrets.token_urlsafe(32)

    def _prepare_redirect_url(self, launch_url: str) -> str:
        # pylti1p3 saves the nonce on its own; tie it to this login's state, so that a token
        # only launches in the browser whose login asked for it.
        url: str = super()._prepare_redirect_url(launch_url)
        params = parse_qs(urlsplit(url).query)
        state, nonce = params["state"][-1], params["nonce"][-1]
        # The platform offers its storage: the state cookie may be blocked, keep both there too.
        target = _storage_target(self._get_request_param(STORAGE_TARGET_PARAM))
        origin = _origin(self._registration.get_auth_login_url() or "")
        if target and origin:
            self.storage_login = StorageLogin(
                state=state, nonce=nonce, target=target, origin=origin
            )
        remember_login(
            state=state,
            nonce=nonce,
            params={name: self._get_request_param(name) or "" for name in RELAUNCH_PARAMS},
            storage_login=self.storage_login,
        )
        return url


# pylti1p3 makes a requests.Session for every launch (~0.1 ms of CPU) for its own HTTP calls
# (its JWKS fetch, its AGS and NRPS clients), none of which we use: the JWKS comes through
# platform_keys.py, the services through lms_client.py. One session, never sent through.
_NO_REQUESTS = requests.Session()


class ToolMessageLaunch(DjangoMessageLaunch):
    def __init__(self, request: HttpRequest) -> None:
        self.tool_conf = DatabaseToolConf()
        self.nonces = NonceStore()
        self.http_request = request
        self.storage_check: StorageLogin | None = None  # set when the browser must prove it
        # A deployment id the registration accepts as its first: kept once all checks pass.
        self.first_deployment_id: str | None = None
        self.cookies = IframeCookieService(_request_adapter(request))
        self.state_cookie: str | None = None  # the state, when its cookie proved it
        super().__init__(
            request,
            self.tool_conf,
            session_service=self.nonces,
            cookie_service=self.cookies,
            requests_session=_NO_REQUESTS,
        )

    @property
    def platform(self) -> PlatformRegistration:
        assert self.tool_conf.platform is not None
        return self.tool_conf.platform

    def validate(self) -> ToolMessageLaunch:
        """Every check; raises `StorageCheckRequired` (after all but the nonce) when the state
        is to be proved by the platform storage, `LaunchError` when a check fails."""
        self._validated = True  # pylti1p3 re-enters validate() from its getters otherwise
        self._run_steps(
            [
                ("format", self._get_id_token),  # else a missing id_token reads as a state error
                ("state", self.validate_state),
                ("format", self.validate_jwt_format),
                ("registration", self.validate_registration),
                ("signature", self.validate_jwt_signature),
                ("claims", self.validate_claims),
                ("deployment", self.validate_deployment),
                ("message", self.validate_message),
            ]
        )
        if self.storage_check is not None:  # nothing consumed, nothing written yet
            self._validated = False
            raise StorageCheckRequired(
                self.storage_check, self._get_id_token(), self._platform_origins()
            )
        self._run_steps([("nonce", self.consume_nonce)])
        return self

    def finish(self, response: HttpResponse) -> HttpResponse:
        """The page of the accepted launch, removing the state cookie that proved it: its
        nonce is consumed, so it can prove nothing again, and until it expires (5 minutes)
        every request to the tool would carry it, one more for each launch."""
        if self.state_cookie is not None:
            self.cookies.expire(self.state_cookie)
            self.cookies.update_response(response)
        return response

    def _platform_origins(self) -> list[str]:
        """The platform's own origins, as its signed id_token names them."""
        body: Mapping[str, Any] = self._jwt["body"]  # verified; the getter would validate again
        presentation = body.get(_LTI_CLAIM + "launch_presentation") or {}
        platform = body.get(_LTI_CLAIM + "tool_platform") or {}
        urls = [
            str(body.get("iss") or ""),
            str(presentation.get("return_url") or "") if isinstance(presentation, dict) else "",
            str(platform.get("url") or "") if isinstance(platform, dict) else "",
        ]
        return sorted({origin for url in urls if url and (origin := _origin(url))})

    def _run_steps(self, steps: list[tuple[str, Callable[[], object]]]) -> None:
        for step, check in steps:
            try:
                check()
            except (LtiException, KeyError, TypeError, ValueError, AttributeError) as exc:
                self._validated = False
                raise LaunchError(step, STEP_MESSAGES[step], str(exc)) from exc

    def validate_state(self) -> ToolMessageLaunch:
        """The state cookie of this browser; or else a platform-storage login, whose proof
        our own page posts once it has read the state and nonce back from the storage."""
        state = self._get_request_param("state")
        if not state:
            raise LtiException("Missing state param")
        if self.cookies.get_cookie(state) == state:
            self.state_cookie = state
            return self
        login = StorageLogins().find(state)
        if login is None:
            url = relaunch_url(state) if self.cookies.get_cookie(state) is None else None
            if url is not None:
                self._validated = False
                raise StateLost(url, "No state cookie and no platform storage: cookies blocked")
            raise LtiException("State not found: no cookie and not a platform-storage login")
        proof_state = self._get_request_param(STORAGE_PROOF_STATE) or ""
        proof_nonce = self._get_request_param(STORAGE_PROOF_NONCE) or ""
        if not proof_state and not proof_nonce:
            self.storage_check = login
            return self
        if not sent_by_own_page(self.http_request):
            raise LtiException("Platform storage proof not posted by the tool's own page")
        if not (
            constant_time_compare(proof_state, login.state)
            and constant_time_compare(proof_nonce, login.nonce)
        ):
            raise LtiException("Platform storage proof does not match the login")
        return self

    def validate_deployment(self) -> ToolMessageLaunch:
        """A known deployment id; or the first one of a registration that accepts its first
        (Canvas gives it only when the app is added), which the launch view then keeps."""
        try:
            super().validate_deployment()
        except LtiException:
            deployment_id = self._get_deployment_id()
            if not (
                isinstance(deployment_id, str)
                and 0 < len(deployment_id) <= 255
                and self.platform.accept_first_deployment
                and not self.platform.deployments.exists()
            ):
                raise
            self.first_deployment_id = deployment_id
        return self

    def validate_jwt_format(self) -> ToolMessageLaunch:
        super().validate_jwt_format()
        # Valid JSON is not enough: a list or a string would fail later as "not registered".
        if not isinstance(self._jwt["header"], dict) or not isinstance(self._jwt["body"], dict):
            raise LtiException("The JWT header and body must be JSON objects")
        return self

    def get_client_id(self) -> str:
        """`azp` names the client when present; otherwise the (first) audience."""
        body: Mapping[str, object] = self._get_jwt_body()  # azp: not in pylti1p3's TLaunchData
        if body.get("azp"):
            return str(body["azp"])
        aud = body.get("aud")
        if isinstance(aud, list):
            return str(aud[0]) if aud else ""
        return str(aud or "")

    def validate_claims(self) -> None:
        body: Mapping[str, object] = self._get_jwt_body()  # azp: not in pylti1p3's TLaunchData
        client_id = self.platform.client_id
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LtiException("Our client id is not in aud")
        if len(audiences) > 1 and not body.get("azp"):
            raise LtiException("Several audiences and no azp")
        if "azp" in body and body["azp"] != client_id:
            raise LtiException("azp is not our client id")
        # The signature step has verified this very body; its times are checked here, with
        # leeway, as PyJWT would (a second jwt.decode cost ~8% of a launch's CPU).
        if problem := _token_times_problem(body, now=time.time()):
            raise LtiException(f"Token times: {problem}")

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        """The platform's key (parsed once per process, see platform_keys.py) verifies the
        id_token: only RS256, and the JWKS fetched again once for a `kid` we have not seen."""
        header: Mapping[str, object] = self._jwt["header"]
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM:
            raise LtiException("Only RS256 is accepted")
        if not isinstance(kid, str) or not kid:
            raise LtiException("JWT KID not found")
        key_set_url = self.platform.keyset_url
        key = platform_public_key(key_set_url, kid)
        if key is None and self._may_refetch_jwks():
            # A kid we have not seen: the platform may have rotated its key. Fetch once more.
            key = platform_public_key(key_set_url, kid, fresh=True)
        if key is None:
            raise LtiException("Unable to find public key")
        verify_rs256(self._get_id_token(), header, key)
        return self

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
