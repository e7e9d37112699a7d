"""Calls from the tool to an LMS it does not know yet (dynamic registration).

The address comes from a query parameter of a public URL, so each call is guarded: https
only, no internal addresses, no redirects, a timeout and a size limit.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from lti_tool.errors import AppError

logger = logging.getLogger(__name__)

TIMEOUT = 10  # seconds, for each call to the LMS
MAX_RESPONSE_BYTES = 1_000_000
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
REGISTER_MANUALLY = "You can register the tool by hand instead (see the tool's README)."


def lms_url_check(url: str, what: str, *, status: int = 400) -> None:
    """https only. Plain http is allowed for 127.0.0.1/localhost while DEBUG is on, so a
    development LMS on the same machine can register; never in production. Outside DEBUG,
    addresses on this machine and link-local ones (cloud metadata) are refused, so the
    public registration URL cannot be used to reach internal services. Private networks
    stay allowed: an LMS on a campus network is normal."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise AppError("url_invalid", f"{what} is not a valid address: {url}", status=status)
    local_dev = settings.DEBUG and host in _LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local_dev):
        raise AppError(
            "url_insecure", f"{what} must use https: {url}. {REGISTER_MANUALLY}", status=status
        )
    if not settings.DEBUG and _is_internal(host):
        raise AppError(
            "url_internal", f"{what} points at an internal address: {url}", status=status
        )


def _is_internal(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # unresolvable: the call itself fails with a clear message
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if (
            address.is_loopback or address.is_link_local or address.is_unspecified
            or address.is_multicast or address.is_reserved
        ):
            return True
    return False


def lms_call(
    method: str, url: str, *, token: str | None, json_body: Any = None
) -> tuple[int, Any]:
    """One call: Bearer token if given, JSON in and out. Returns (status, body or None)."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with requests.request(
            method, url, headers=headers, json=json_body, timeout=TIMEOUT,
            allow_redirects=False,  # a redirect would skip lms_url_check
            stream=True,
        ) as response:
            raw = _read_limited(response, url)
            status = response.status_code
    except requests.RequestException as exc:
        logger.warning("lms call %s %s failed: %s", method, url, exc)
        raise AppError(
            "lms_unreachable",
            f"The tool could not reach the LMS at {url} ({type(exc).__name__}). Check that "
            "the LMS's address is reachable from the tool's server, then try again.",
            status=502,
        ) from exc
    return status, _json_or_none(raw, url, status)


def _read_limited(response: requests.Response, url: str) -> bytes:
    raw = b""
    for chunk in response.iter_content(64 * 1024):
        raw += chunk
        if len(raw) > MAX_RESPONSE_BYTES:
            raise AppError(
                "lms_answer_too_large", f"The LMS's answer from {url} is too large.", status=502
            )
    return raw


def _json_or_none(raw: bytes, url: str, status: int) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError as exc:
        if 200 <= status < 300:
            raise AppError(
                "lms_answer_unreadable",
                f"The LMS's answer from {url} is not JSON. {REGISTER_MANUALLY}",
                status=502,
            ) from exc
        return None  # an error page in HTML: the status says enough
