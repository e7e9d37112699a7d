"""The one HTTP client for the tool's calls to an LMS: AGS, NRPS, OAuth tokens, the
platform's public keys (JWKS), and the calls of dynamic registration.

Every call has a timeout, reads JSON, and fails with `ProviderError` (permanent or not,
with the LMS's status and Retry-After). Calls to an address that came from a public
request (dynamic registration) are `guarded`: checked first with `lms_url_check` (https,
no internal addresses), no redirects (a redirect would skip that check), and a size limit.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from lti_tool.errors import AppError
from storage_backends.errors import ProviderError
from storage_backends.retry import retry_after_seconds

TIMEOUT = 10  # seconds, for each call to the LMS
MAX_RESPONSE_BYTES = 1_000_000  # for guarded calls
# For guarded calls, the whole answer: `timeout` bounds each read, so a host that trickles a
# byte at a time would otherwise hold the request (and a web worker) for as long as it likes.
GUARDED_DEADLINE = 15  # seconds
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
REGISTER_MANUALLY = "You can register the tool by hand instead (see the tool's README)."


@dataclass(frozen=True)
class LmsResponse:
    status: int
    body: Any
    headers: dict[str, str]
    next_url: str | None  # from `Link: <...>; rel="next"` (paging)
    text: str = ""  # the start of the body, for logs

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def lms_send(
    method: str,
    url: str,
    *,
    session: requests.Session | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    data: Mapping[str, str] | None = None,
    guarded: bool = False,
    timeout: float = TIMEOUT,
) -> LmsResponse:
    """One call; any HTTP status is returned (see `lms_checked`). Raises ProviderError
    when the LMS cannot be reached or its answer cannot be read."""
    sender = session or requests.Session()
    try:
        with sender.request(
            method,
            url,
            headers=dict(headers or {}),
            json=json_body,
            data=data,
            timeout=timeout,
            allow_redirects=not guarded,
            stream=True,
        ) as response:
            raw = _read(
                response,
                url,
                limit=MAX_RESPONSE_BYTES if guarded else None,
                deadline=time.monotonic() + GUARDED_DEADLINE if guarded else None,
            )
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:  # urllib3: read1
        raise ProviderError(f"{method} {url} failed: {exc}", code="lms_unreachable") from exc
    finally:
        if session is None:
            sender.close()
    return LmsResponse(
        status=response.status_code,
        body=_json_or_none(raw, url, response.status_code),
        headers=dict(response.headers),
        next_url=response.links.get("next", {}).get("url"),
        text=raw[:200].decode("utf-8", "replace"),
    )


def lms_checked(response: LmsResponse, what: str) -> LmsResponse:
    """The response if it is a success; else a ProviderError (429 and 5xx: transient)."""
    if response.status == 429 or response.status >= 500:
        raise ProviderError(
            f"{what} answered {response.status}",
            status=response.status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            code="lms_unavailable",
        )
    if not response.ok:
        raise ProviderError(
            f"{what} answered {response.status}: {response.text}",
            status=response.status,
            permanent=True,
            code="lms_refused",
        )
    return response


def _read(
    response: requests.Response, url: str, *, limit: int | None, deadline: float | None
) -> bytes:
    raw = b""
    for chunk in _chunks(response, deadline is not None):
        raw += chunk
        if deadline is not None and time.monotonic() > deadline:
            raise ProviderError(
                f"The LMS's answer from {url} took longer than {GUARDED_DEADLINE} s.",
                code="lms_too_slow",
                status=response.status_code,
            )
        if limit is not None and len(raw) > limit:
            raise ProviderError(
                f"The LMS's answer from {url} is too large.",
                permanent=True,
                code="lms_answer_too_large",
                status=response.status_code,
            )
    return raw


def _chunks(response: requests.Response, as_they_come: bool) -> Iterator[bytes]:
    """The body in pieces. `as_they_come`: each piece as soon as it arrives (urllib3's read1),
    so a deadline can be checked; iter_content waits until a whole 64 KiB chunk is in."""
    if not as_they_come:
        yield from response.iter_content(64 * 1024)
        return
    while chunk := response.raw.read1(64 * 1024, decode_content=True):
        yield chunk


def _json_or_none(raw: bytes, url: str, status: int) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep to read
        if 200 <= status < 300:
            raise ProviderError(
                f"The LMS's answer from {url} is not JSON.",
                permanent=True,
                code="lms_answer_unreadable",
                status=status,
            ) from exc
        return None  # an error page in HTML: the status says enough


def lms_url_check(url: str, what: str, *, status: int = 400) -> None:
    """https only. Plain http is allowed for 127.0.0.1/localhost while DEBUG is on, so a
    development LMS on the same machine can register; never in production. Outside DEBUG,
    addresses on this machine and link-local ones (cloud metadata) are refused, so the
    public registration URL cannot be used to reach internal services. Private networks
    stay allowed: an LMS on a campus network is normal."""
    invalid = AppError(
        "url_invalid",
        _("%(what)s is not a valid address: %(url)s") % {"what": what, "url": url[:300]},
        status=status,
    )
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:  # e.g. "https://[::1" or a port of letters
        raise invalid from None
    if not host or "\x00" in url or len(url) > 2000 or parts.username or parts.password:
        raise invalid
    local_dev = settings.DEBUG and host in _LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local_dev):
        raise AppError(
            "url_insecure",
            _("%(what)s must use https: %(url)s. %(manual)s")
            % {"what": what, "url": url, "manual": _(REGISTER_MANUALLY)},
            status=status,
        )
    if not settings.DEBUG and _is_internal(host):
        raise AppError(
            "url_internal",
            _("%(what)s points at an internal address: %(url)s") % {"what": what, "url": url},
            status=status,
        )


def _is_internal(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, ValueError):  # ValueError: a name no resolver takes (too long, NUL)
        return False  # unresolvable: the call itself fails with a clear message
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if (
            address.is_loopback
            or address.is_link_local
            or address.is_unspecified
            or address.is_multicast
            or address.is_reserved
        ):
            return True
    return False
