"""What S3 + CloudFront bill for what we count (bytes stored, views).

Prices as published in 2026-11 (us-east-1 / US-EU edge; see
shared/reference/storage-contracts.md). For planning a budget, not checking an invoice.
"""

from __future__ import annotations

from decimal import Decimal

from storage_backends.cost import GB, usd

PRICES_AS_OF = "2026-11"
S3_STANDARD_PER_GB_MONTH = Decimal("0.023")
CLOUDFRONT_PER_GB_FIRST_10TB = Decimal("0.085")
CLOUDFRONT_FREE_GB_PER_MONTH = Decimal("1000")
# The interface gives no video count: a ~5-minute 720p recording at ~2.5 Mbit/s,
# watched once in full per view.
AVERAGE_VIDEO_BYTES = 100 * 1000**2


def estimate_monthly_cost(total_bytes: int, total_views: int) -> Decimal:
    return monthly(stored_bytes=total_bytes, delivered_bytes=total_views * AVERAGE_VIDEO_BYTES)


def monthly(*, stored_bytes: int, delivered_bytes: int) -> Decimal:
    storage = Decimal(stored_bytes) / GB * S3_STANDARD_PER_GB_MONTH
    billable_out = max(Decimal(delivered_bytes) / GB - CLOUDFRONT_FREE_GB_PER_MONTH, Decimal(0))
    return usd(storage + billable_out * CLOUDFRONT_PER_GB_FIRST_10TB)
