"""Bearer-token checks and paging, shared by AGS and NRPS."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.lti_platform.server import Request, Response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform


def authorize(lms: LmsPlatform, request: Request, any_of: list[str]) -> Response | None:
    """None when the bearer token is valid and has one of the scopes; else the 401."""
    token = request.bearer()
    info = lms.tokens.get(token or "")
    if info is None or info["expires_at"] < time.time():
        problem = "no bearer token" if token is None else "unknown or expired bearer token"
        return lms.reject(
            request, 401, problem, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        )
    if not set(any_of) & set(info["scopes"]):
        return lms.reject(
            request,
            401,
            f"the token lacks a scope of {any_of}",
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )
    return None


def page_of(items: list[Any], query: dict[str, str], page_size: int) -> tuple[list[Any], bool]:
    """One page by `limit` (capped at page_size) and `page` (from 1). ValueError if bad."""
    limit = int(query.get("limit") or page_size)
    page = int(query.get("page") or 1)
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be positive integers")
    size = min(limit, page_size)
    start = (page - 1) * size
    return items[start : start + size], len(items) > start + size


def next_link(base_url: str, query: dict[str, str]) -> dict[str, str]:
    page = int(query.get("page") or 1)
    url = base_url + "?" + urlencode({**query, "page": str(page + 1)})
    return {"Link": f'<{url}>; rel="next"'}
