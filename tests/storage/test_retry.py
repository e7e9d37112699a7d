"""The one backoff rule and the one provider error type, shared by storage, LMS calls and tasks."""

from __future__ import annotations

import pytest

from storage_backends import base
from storage_backends.errors import ProviderError
from storage_backends.retry import backoff_seconds, call_with_retry


def test_backoff_grows_with_full_jitter_up_to_the_cap() -> None:
    for retries in range(12):
        wait = backoff_seconds(retries, base=2.0, cap=60.0)
        assert 0 <= wait <= min(60.0, 2.0 * 2**retries)
    assert all(
        10.0 <= backoff_seconds(r, base=10.0, cap=1800.0, floor=10.0) <= 1810.0 for r in range(20)
    )


def test_storage_error_is_the_provider_error() -> None:
    """Backends raising `ProviderError` and the app catching `ProviderError` meet."""
    assert base.ProviderError is ProviderError
    exc = ProviderError("The LMS answered 429", retry_after=7, status=429)
    assert (exc.permanent, exc.retry_after, exc.status, exc.code) == (
        False,
        7,
        429,
        "provider_error",
    )
    assert not hasattr(exc, "transient")  # one flag, `permanent`


def test_only_transient_provider_errors_are_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    import tenacity.nap

    sleeps: list[float] = []
    monkeypatch.setattr(tenacity.nap.time, "sleep", sleeps.append)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ProviderError("busy", retry_after=2)
        return "ok"

    assert call_with_retry(flaky, attempts=3) == "ok"
    assert sleeps == [2.0, 2.0]  # the provider's Retry-After, not our backoff

    def refused() -> None:
        calls.append(1)
        raise ProviderError("refused", permanent=True)

    calls.clear()
    with pytest.raises(ProviderError):
        call_with_retry(refused, attempts=3)
    assert len(calls) == 1
