"""Calling a platform's LTI Advantage services (AGS, NRPS) as the tool.

pylti1p3's ServiceConnector keeps access tokens only for the life of one object, sets no
timeouts and lower-cases the `Link` header (breaking paging URLs). This client keeps
tokens in the cache (Redis in production) per platform and scope set until shortly
before they expire, so N grades cost one token request across all workers. The HTTP
calls go through the one LMS client (`lms_client`); failures are `ProviderError`s.
Protocol code signs nothing itself: the caller passes the tool's signer (`sign`).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests
from django.core.cache import cache

from lti_tool.lti.lms_client import LmsResponse, lms_checked, lms_send
from lti_tool.models import PlatformRegistration
from storage_backends.errors import ProviderError

_TOKEN_MARGIN = 30  # seconds: never use a token that is about to expire

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# Signs JWT claims with the tool's current key (tenants.tool_keys.sign_as_tool).
Signer = Callable[[dict[str, Any]], str]
ServiceResponse = LmsResponse


class PlatformServices:
    def __init__(
        self,
        platform: PlatformRegistration,
        *,
        sign: Signer,
        session: requests.Session | None = None,
    ) -> None:
        self.platform = platform
        self.sign = sign
        self.session = session or requests.Session()

    def access_token(self, scopes: Sequence[str]) -> str:
        key = self._token_cache_key(scopes)
        token = cache.get(key)
        if token:
            return str(token)
        token, expires_in = self._request_token(scopes)
        cache.set(key, token, timeout=max(expires_in - _TOKEN_MARGIN, 1))
        return token

    def request(
        self,
        method: str,
        url: str,
        *,
        scopes: Sequence[str],
        json_body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> LmsResponse:
        """One authorised call; a rejected cached token is replaced once."""
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self.access_token(scopes)}", "Accept": accept}
            if json_body is not None:
                headers["Content-Type"] = content_type
            response = lms_send(
                method, url, session=self.session, headers=headers, json_body=json_body
            )
            if response.status == 401 and attempt == 0:
                cache.delete(self._token_cache_key(scopes))
                continue
            return lms_checked(response, f"{method} {url}")
        raise AssertionError("unreachable")

    def pages(self, url: str, *, scopes: Sequence[str], accept: str) -> Iterator[Any]:
        """Follow `Link: <...>; rel="next"` until the last page."""
        next_url: str | None = url
        while next_url:
            response = self.request("GET", next_url, scopes=scopes, accept=accept)
            yield response.body
            next_url = response.next_url

    def _request_token(self, scopes: Sequence[str]) -> tuple[str, int]:
        data = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self._client_assertion(),
            "scope": " ".join(sorted(scopes)),
        }
        response = lms_send("POST", self.platform.auth_token_url, session=self.session, data=data)
        body = lms_checked(response, "token request").body or {}
        if not isinstance(body, dict) or "access_token" not in body:
            raise ProviderError(
                "token response has no access_token", permanent=True, code="lms_token_unreadable"
            )
        return str(body["access_token"]), int(body.get("expires_in", 3600))

    def _client_assertion(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.platform.client_id,
            "sub": self.platform.client_id,
            # Brightspace wants its own audience, not the token URL (per registration).
            "aud": self.platform.token_audience or self.platform.auth_token_url,
            "iat": now - 5,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        return self.sign(claims)

    def _token_cache_key(self, scopes: Sequence[str]) -> str:
        digest = hashlib.sha256(" ".join(sorted(scopes)).encode()).hexdigest()[:24]
        return f"lti-token:{self.platform.pk}:{digest}"


def with_query(url: str, **params: str) -> str:
    """`url` with these query parameters set (replacing their old values, keeping the rest:
    Moodle's service URLs carry their own, e.g. `?type_id=`); empty values are left out."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
