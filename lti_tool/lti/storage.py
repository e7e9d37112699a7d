"""Where the OIDC login keeps what the launch must find again.

The nonce goes to the cache (Redis in production), bound to the login's state, and is
consumed atomically on launch, so an id_token is accepted once and only with its own
state. The state goes to a SameSite=None; Secure; Partitioned cookie: the tool runs in the
LMS's iframe, and browsers that block third-party cookies still keep a partitioned (CHIPS)
one, in a jar of its own for that LMS's site. pylti1p3 keeps both in the Django session
and never deletes the nonce, so a replayed launch would pass: hence these replacements.

Browsers that block even partitioned cookies drop it. Where the platform offers the
LTI platform storage (`lti_storage_target` in the login), the browser also keeps the state
and nonce in the platform's window, and `StorageLogins` remembers such logins here (see
`StorageLogin` for what that proves and how). Where it does not, `Relaunches` keeps what the
login was started with, so the page that explains the lost state can start the same login
again in a window of its own, where the tool's cookie is first-party.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from http.cookies import Morsel
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.session import SessionService

from lti_tool.lti.pylti_django import DjangoCookieService

_NONCE_PREFIX = "lti-nonce:"
_STORAGE_LOGIN_PREFIX = "lti-storage-login:"
_RELAUNCH_PREFIX = "lti-relaunch:"
# The login initiation parameters a new window needs to start the same login again.
RELAUNCH_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)


class NonceStore(SessionService):
    """pylti1p3's session service, keeping only nonces, in the cache, for one use."""

    def __init__(self) -> None:  # no request: nothing here reads the Django session
        pass

    def save_nonce(self, nonce: str) -> None:
        pass  # pylti1p3 calls this before the state is at hand: `remember_login` binds it

    def check_nonce(self, nonce: str) -> bool:
        return False  # a nonce alone proves nothing: consume_nonce checks it with its state

    def consume_nonce(self, *, nonce: str, state: str) -> bool:
        """True for the first caller only: the cache's delete is atomic."""
        return bool(cache.delete(_nonce_key(nonce, state)))

    def save_state_params(self, state: str, params: dict[str, object]) -> None:
        pass

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        return False  # always check the state cookie; launches are never restored

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        pass

    def save_launch_data(self, key: str, jwt_body: Any) -> None:
        pass

    def set_data_storage(self, data_storage: LaunchDataStorage[Any]) -> None:
        pass


def _nonce_key(nonce: str, state: str) -> str:
    """Hashed: both values come from the request and may be long or hold any character."""
    return _NONCE_PREFIX + hashlib.sha256(f"{state}\n{nonce}".encode()).hexdigest()


class IframeCookieService(DjangoCookieService):
    """Cookies that survive a cross-site POST into an iframe: SameSite=None; Secure, and
    Partitioned (CHIPS) so that browsers blocking third-party cookies keep them too."""

    def expire(self, name: str) -> None:
        """Have the response remove the cookie `name` (named as for `set_cookie`), with the
        attributes it was set with: a browser removes a partitioned cookie only so."""
        self.set_cookie(name, "", 0)

    def update_response(self, response: Any) -> None:
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                value=data["value"],
                max_age=data["exp"],
                secure=settings.LTI_COOKIE_SECURE,
                httponly=True,
                samesite=settings.LTI_COOKIE_SAMESITE,
                path="/",
            )
            if settings.LTI_COOKIE_PARTITIONED:
                partition_cookie(response.cookies, key)


class _PartitionedMorsel(Morsel[str]):
    """A cookie with the `Partitioned` attribute, which Django 5.2's set_cookie and the
    standard library before Python 3.14 do not know."""

    def OutputString(self, attrs: Any = None) -> str:  # noqa: N802 - the stdlib's name
        return super().OutputString(attrs) + "; Partitioned"


def partition_cookie(cookies: Any, key: str) -> None:
    """Mark the cookie `key` of a response's SimpleCookie as Partitioned."""
    plain = cookies[key]
    morsel = _PartitionedMorsel()
    morsel.set(plain.key, plain.value, plain.coded_value)
    morsel.update(plain)
    dict.__setitem__(cookies, key, morsel)


@dataclass(frozen=True)
class StorageLogin:
    """A login whose state and nonce the browser put into the LTI platform storage.

    What the state cookie protects: the launch POST is accepted only in the browser that
    started the login. Without that, an attacker starts a login, completes it at the LMS as
    themselves, and has the victim's browser post their id_token and state to us (login
    CSRF): the victim would work in the tool as the attacker, e.g. hand in a video into the
    attacker's submission. Everything the login tells the browser (state, nonce, the page
    itself) is known to whoever started it, so no value alone can replace the cookie: what
    must be proved is *where* the values are kept.

    What the platform storage gives instead (1EdTech "OIDC Login with LTI Client Side
    postMessages"): at login our page puts the state and nonce into the platform's window
    (`lti.put_data` to the frame named by `lti_storage_target`, sent only to the platform's
    origin, which keeps the values per sending origin). At launch our page asks that window
    for them back (`lti.get_data`), accepts answers only from the platform's origin, and
    compares them with the posted state and the nonce issued for it. An attacker can neither
    write into the victim's platform storage (only our login page does, with values our
    server just issued) nor answer in the platform's name (browsers deliver postMessage by
    origin and report the true sender's origin).

    The check runs in the browser, so the server must know that it was *our* page that ran
    it. The final POST carries the values read back and is accepted only when the browser
    marks it same-origin (`Sec-Fetch-Site: same-origin`, or an `Origin` of our own where
    Fetch Metadata is missing): a cross-site page cannot send that, and on our origin only
    our check page sends it, after the check passed. The server also checks that it issued
    the state for a storage login, that the values match, and it consumes the nonce once.
    A launch with neither the cookie nor this proof is refused as before.
    """

    state: str
    nonce: str
    target: str  # the platform's frame for the storage: a frame name or "_parent"
    origin: str  # the platform's origin (of its OIDC auth URL): the only one we talk to

    @property
    def state_key(self) -> str:
        return "lti_state_" + self.state

    @property
    def nonce_key(self) -> str:
        return "lti_nonce_" + self.nonce


def remember_login(
    *, state: str, nonce: str, params: dict[str, str], storage_login: StorageLogin | None
) -> None:
    """What the launch must find again, for as long as the nonce lives, in one round trip
    (`set_many` is one Redis pipeline, config/redis_cache.py): the nonce bound to the login's
    state, the login's parameters (`Relaunches`) and the platform-storage login if any
    (`StorageLogins`)."""
    entries: dict[str, Any] = {
        _nonce_key(nonce, state): True,
        _relaunch_key(state): {name: params[name] for name in RELAUNCH_PARAMS if params.get(name)},
    }
    if storage_login is not None:
        entries[_storage_login_key(state)] = {
            "nonce": storage_login.nonce,
            "target": storage_login.target,
            "origin": storage_login.origin,
        }
    cache.set_many(entries, timeout=settings.LTI_NONCE_TTL)


class StorageLogins:
    """Logins that used the platform storage, by state, for as long as their nonce lives."""

    def find(self, state: str) -> StorageLogin | None:
        value = cache.get(_storage_login_key(state))
        if not isinstance(value, dict):
            return None
        return StorageLogin(
            state=state, nonce=value["nonce"], target=value["target"], origin=value["origin"]
        )


def _storage_login_key(state: str) -> str:
    return _STORAGE_LOGIN_PREFIX + hashlib.sha256(state.encode()).hexdigest()


class Relaunches:
    """The login parameters of recent logins, by state, for as long as their nonce lives.

    A launch that lost its state cookie (a browser that blocks even partitioned cookies, on a
    platform without storage) cannot be accepted; with these the page that says so offers
    the same login again in a new window. Nothing secret: the platform gave them to the
    browser, and the platform authenticates the person again in that window.
    """

    def query(self, state: str) -> str | None:
        """The login's query string, or None if this state is unknown or expired."""
        value = cache.get(_relaunch_key(state)) if state else None
        return urlencode(value) if isinstance(value, dict) and value else None


def _relaunch_key(state: str) -> str:
    return _RELAUNCH_PREFIX + hashlib.sha256(state.encode()).hexdigest()
