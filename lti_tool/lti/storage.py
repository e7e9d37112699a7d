"""Where the OIDC login keeps what the launch must find again.

The nonce goes to the cache (Redis in production), bound to the login's state, and is
consumed atomically on launch, so an id_token is accepted once and only with its own
state. The state goes to a SameSite=None; Secure cookie: the tool runs in the LMS's
iframe. pylti1p3 keeps both in the Django session and never deletes the nonce, so a
replayed launch would pass: hence these replacements.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.session import SessionService

_NONCE_PREFIX = "lti-nonce:"


class NonceStore(SessionService):
    """pylti1p3's session service, keeping only nonces, in the cache, for one use."""

    def __init__(self) -> None:  # no request: nothing here reads the Django session
        pass

    def save_nonce(self, nonce: str) -> None:
        pass  # pylti1p3 calls this before the state is at hand: ToolOIDCLogin binds instead

    def bind_nonce(self, *, nonce: str, state: str) -> None:
        cache.set(_nonce_key(nonce, state), True, timeout=settings.LTI_NONCE_TTL)

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


class IframeCookieService(DjangoCookieService):  # type: ignore[misc]
    """Cookies that survive a cross-site POST into an iframe: SameSite=None; Secure."""

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
