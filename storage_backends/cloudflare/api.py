"""A small typed client for the Cloudflare Stream API (v4): envelopes, errors, retries.

Every call goes through `call_with_retry`: 429 and 5xx (honouring `retry-after`),
timeouts and connection errors are retried; any other 4xx is a permanent `ProviderError`
at once, because asking again will not change the provider's mind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from storage_backends.errors import ProviderError
from storage_backends.retry import ATTEMPTS, call_with_retry, raise_for_transient

# (connect, read) seconds. Reads may be slow while Cloudflare creates an upload; a web
# request forwarding a tus creation must still give up long before the browser does.
API_TIMEOUT = (5.0, 30.0)

_STATUS_CODES = {401: "provider_auth", 403: "provider_auth", 404: "not_found"}


@dataclass(frozen=True)
class APIResponse:
    status: int
    headers: Mapping[str, str]
    result: Any


class StreamAPI:
    """One account's `/accounts/{id}/stream` API over one `requests.Session` (pooled)."""

    def __init__(
        self,
        *,
        account_id: str,
        api_token: str,
        api_base: str,
        timeout: tuple[float, float] = API_TIMEOUT,
        attempts: int = ATTEMPTS,
    ) -> None:
        self.base_url = f"{api_base.rstrip('/')}/accounts/{account_id}/stream"
        self.timeout = timeout
        self.attempts = attempts
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_token}"

    def call(
        self,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        missing_ok: bool = False,
    ) -> APIResponse | None:
        """One API call with retries. Returns None for a 404 when `missing_ok`."""
        return call_with_retry(
            self._once,
            method,
            path,
            json=json,
            params=params,
            headers=headers,
            missing_ok=missing_ok,
            attempts=self.attempts,
        )

    def result(self, method: str, path: str = "", **kwargs: Any) -> Any:
        """The envelope's `result` of a call that must succeed."""
        response = self.call(method, path, **kwargs)
        assert response is not None  # only None when missing_ok
        return response.result

    def _once(
        self,
        method: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        missing_ok: bool,
    ) -> APIResponse | None:
        what = f"Cloudflare Stream {method} {path or '/'}"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=dict(headers or {}),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            # Converted here so the caller sees one error type after the last attempt.
            raise ProviderError(
                f"{what} failed: {type(exc).__name__}", code="provider_unreachable"
            ) from exc
        raise_for_transient(response, what)
        if response.status_code == 404 and missing_ok:
            return None
        envelope = _envelope(response)
        if response.status_code >= 400 or envelope.get("success") is False:
            raise ProviderError(
                f"{what} answered {response.status_code}: {_errors(envelope)}",
                permanent=True,
                code=_STATUS_CODES.get(response.status_code, "provider_rejected"),
            )
        return APIResponse(response.status_code, response.headers, envelope.get("result"))


def _envelope(response: requests.Response) -> dict[str, Any]:
    """The JSON envelope, or {} for bodiless answers (tus creation's 201, some deletes)."""
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _errors(envelope: Mapping[str, Any]) -> str:
    errors = envelope.get("errors") or []
    text = "; ".join(
        f"{error.get('code')}: {error.get('message')}"
        for error in errors
        if isinstance(error, dict)
    )
    return text or "no details"
