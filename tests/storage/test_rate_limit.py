from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import pytest
from django.conf import settings

from storage_backends.rate_limit import Limit, RateLimited, Window, check_rate, rate_counting

HOURLY = Limit("upload_hour", 10, 3600)


def test_the_eleventh_request_in_an_hour_is_refused_with_a_retry_after() -> None:
    now = 1_800_001_800.0  # 30 minutes into an hour window
    for _ in range(10):
        check_rate(subject="u1:a1", limits=[HOURLY], now=now)
    with pytest.raises(RateLimited) as refused:
        check_rate(subject="u1:a1", limits=[HOURLY], now=now)
    assert refused.value.retry_after == 1800
    assert "at most 10 per hour" in str(refused.value)
    assert "30 minutes" in str(refused.value)


def test_limits_are_per_subject_and_reset_with_the_window() -> None:
    now = 1_800_000_000.0
    for _ in range(10):
        check_rate(subject="u1:a1", limits=[HOURLY], now=now)
    check_rate(subject="u2:a1", limits=[HOURLY], now=now)  # someone else is not affected
    check_rate(subject="u1:a1", limits=[HOURLY], now=now + 3600)  # next hour


def test_a_daily_limit_applies_across_hours() -> None:
    daily = Limit("upload_day", 3, 86400)
    start = 1_799_971_200.0  # a day boundary
    for hour in range(3):
        check_rate(subject="u1", limits=[HOURLY, daily], now=start + hour * 3600)
    with pytest.raises(RateLimited) as refused:
        check_rate(subject="u1", limits=[HOURLY, daily], now=start + 4 * 3600)
    assert refused.value.limit.name == "upload_day"


@pytest.mark.integration
def test_fifty_parallel_requests_against_ten_let_exactly_ten_through() -> None:
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL); CI always sets it")

    def attempt(_: int) -> bool:
        try:
            check_rate(subject="burst", limits=[HOURLY])
        except RateLimited:
            return False
        return True

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(attempt, range(50)))
    assert results.count(True) == 10


@pytest.mark.integration
def test_a_window_expires_when_its_period_is_over_not_later() -> None:
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL); CI always sets it")
    from storage_backends.rate_limit import _redis_client

    now = 1_800_000_000.0
    check_rate(subject="ttl", limits=[HOURLY], now=now)
    client = _redis_client()
    key = f"rate:upload_hour:ttl:{int(now // 3600)}"
    client.expire(key, 100)  # as if the window had been open for nearly its whole life
    check_rate(subject="ttl", limits=[HOURLY], now=now)

    assert client.get(key) == b"2"
    assert 0 < client.ttl(key) <= 100  # counting again did not extend the window


@pytest.mark.integration
@pytest.mark.parametrize("leaves", ["without checking", "on an error"])
def test_a_request_counted_meanwhile_counts_however_it_leaves_and_the_next_command_is_answered(
    leaves: str,
) -> None:
    """The count's reply is read after the caller's own round trip: a block that never reads
    it, or raises first (a 404), still counts, and the pooled connection answers the next
    command with that command's reply, not with the count left on it."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL); CI always sets it")
    from storage_backends.rate_limit import _redis_client

    now, hourly = 1_800_000_000.0, Window("upload_hour", 3600)
    key = f"rate:upload_hour:{leaves}:{int(now // 3600)}"
    raising = pytest.raises(LookupError) if leaves == "on an error" else nullcontext()
    with raising, rate_counting(subject=leaves, windows=[hourly], now=now):
        if leaves == "on an error":
            raise LookupError("the assignment was removed")

    assert _redis_client().get(key) == b"1"
    with (
        rate_counting(subject=leaves, windows=[hourly], now=now) as counted,
        pytest.raises(RateLimited) as refused,
    ):
        counted.check({"upload_hour": 1})
    assert refused.value.retry_after == 3600 - 1_800_000_000 % 3600
    assert _redis_client().get(key) == b"2"
