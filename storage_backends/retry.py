"""Retrying provider calls: exponential backoff with jitter, honouring Retry-After.

Only transient failures are retried (429, 5xx, timeouts, connection errors, and
`StorageError(permanent=False)`); a permanent error is raised at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from storage_backends.base import StorageError

T = TypeVar("T")
ATTEMPTS = 3
INITIAL_WAIT = 1.0
MAX_WAIT = 30.0


class TransientHTTPError(StorageError):
    """A provider answer worth retrying; carries the provider's Retry-After when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, permanent=False, code="provider_unavailable")
        self.retry_after = retry_after


def raise_for_transient(response: requests.Response, what: str) -> None:
    """Turn 429 and 5xx answers into TransientHTTPError (others are the caller's to judge)."""
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientHTTPError(
            f"{what} answered {response.status_code}",
            retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
        )


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, StorageError):
        return not exc.permanent
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def _retry_after_seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


class _WaitHonouringRetryAfter:
    def __init__(self, initial: float, maximum: float) -> None:
        self._backoff = wait_exponential_jitter(multiplier=initial, max=maximum)
        self._maximum = maximum

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(min(retry_after, self._maximum))
        return float(self._backoff(state))


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
