from __future__ import annotations

from decimal import Decimal

from storage_backends.s3 import S3Backend


def test_estimate_uses_the_dated_aws_prices(s3_backend: S3Backend) -> None:
    gb = 1000**3
    assert s3_backend.estimate_cost(100 * gb, 0) == Decimal("2.30")  # S3 Standard only
    # 20,000 views x ~100 MB = 2,000 GB out; the first 1,000 GB a month are free.
    assert s3_backend.estimate_cost(100 * gb, 20_000) == Decimal("87.30")
