"""Paging for the service containers: `limit` per page, the next page in a Link header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from dev_lms.errors import ServiceError

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):  # noqa: UP046 (PEP 695 needs Python 3.12)
    items: Sequence[T]
    next_url: str | None


def _positive_int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ServiceError(f"{name} must be a positive whole number.")
    return int(raw)


def paginate(items: Sequence[T], *, params: Mapping[str, str], url: str) -> Page[T]:
    """One page of `items`; `url` plus the other query parameters make the next page's URL."""
    limit = _positive_int(params, "limit", default=max(len(items), 1))
    page = _positive_int(params, "page", default=1)
    start = (page - 1) * limit
    if start + limit >= len(items):
        return Page(items=items[start:], next_url=None)
    query = {**params, "limit": str(limit), "page": str(page + 1)}
    return Page(items=items[start : start + limit], next_url=f"{url}?{urlencode(query)}")


def link_header(page: Page[T]) -> str | None:
    return f'<{page.next_url}>; rel="next"' if page.next_url else None
