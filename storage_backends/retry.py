"""Retrying provider calls: exponential backoff with jitter, honouring Retry-After.

Only transient failures are retried (429, 5xx, timeouts, connection errors, and
`ProviderError(permanent=False)`); a permanent error is raised at once. `backoff_seconds`
is the one backoff rule of the project: these in-call retries, and the Celery tasks'
retries (uploads, purges, line items, scores) use it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from storage_backends.errors import ProviderError

T = TypeVar("T")
ATTEMPTS = 3
INITIAL_WAIT = 1.0
MAX_WAIT = 30.0


def backoff_seconds(
    retries: int, *, base: float = 2.0, cap: float = 600.0, floor: float = 0.0
) -> float:
    """Exponential backoff with full jitter: `floor` plus a random share of
    `base * 2**retries` (at most `cap`), so retries of many callers do not arrive together."""
    return floor + random.uniform(0, min(cap, base * 2**retries))  # noqa: S311 - not crypto


class TransientHTTPError(ProviderError):
    """A provider answer worth retrying; carries the provider's Retry-After when it gave one."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(
            message,
            permanent=False,
            code="provider_unavailable",
            retry_after=retry_after,
            status=status,
        )


def raise_for_transient(response: requests.Response, what: str) -> None:
    """Turn 429 and 5xx answers into TransientHTTPError (others are the caller's to judge)."""
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientHTTPError(
            f"{what} answered {response.status_code}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            status=response.status_code,
        )


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ProviderError):
        return not exc.permanent
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds (the HTTP-date form is rare from APIs: ignored)."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


class _WaitHonouringRetryAfter:
    def __init__(self, initial: float, maximum: float) -> None:
        self._initial = initial
        self._maximum = maximum

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(min(retry_after, self._maximum))
        return backoff_seconds(state.attempt_number - 1, base=self._initial, cap=self._maximum)


def call_with_retry(
    func: Callable[..., T],
    *args: Any,
    attempts: int = ATTEMPTS,
    initial_wait: float = INITIAL_WAIT,
    max_wait: float = MAX_WAIT,
    **kwargs: Any,
) -> T:
    """Call `func`, retrying transient failures; the last failure is re-raised as is."""
    retrying = Retrying(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(attempts),
        wait=_WaitHonouringRetryAfter(initial_wait, max_wait),
        reraise=True,
    )
    return retrying(func, *args, **kwargs)
