"""Provider prices, in one place and dated, and the monthly estimate built from them.

Prices as published in 2026-11 (see shared/reference/storage-contracts.md). Estimates
assume an average viewing of the whole video; they are for planning, not invoices.
"""

from __future__ import annotations

from decimal import Decimal

PRICES_AS_OF = "2026-11"
GB = Decimal(1000**3)

# Cloudflare Stream: billed by minutes stored and minutes delivered.
CLOUDFLARE_STORAGE_PER_1000_MIN = Decimal("5.00")
CLOUDFLARE_DELIVERY_PER_1000_MIN = Decimal("1.00")

# AWS (us-east-1 / US-EU edge): S3 Standard storage and CloudFront data out.
S3_STANDARD_PER_GB_MONTH = Decimal("0.023")
CLOUDFRONT_PER_GB_FIRST_10TB = Decimal("0.085")
CLOUDFRONT_FREE_GB_PER_MONTH = Decimal("1000")


def cloudflare_monthly(*, stored_minutes: Decimal, delivered_minutes: Decimal) -> Decimal:
    storage = stored_minutes / 1000 * CLOUDFLARE_STORAGE_PER_1000_MIN
    delivery = delivered_minutes / 1000 * CLOUDFLARE_DELIVERY_PER_1000_MIN
    return (storage + delivery).quantize(Decimal("0.01"))


def s3_cloudfront_monthly(*, stored_bytes: int, delivered_bytes: int) -> Decimal:
    storage = Decimal(stored_bytes) / GB * S3_STANDARD_PER_GB_MONTH
    billable_out = max(Decimal(delivered_bytes) / GB - CLOUDFRONT_FREE_GB_PER_MONTH, Decimal(0))
    return (storage + billable_out * CLOUDFRONT_PER_GB_FIRST_10TB).quantize(Decimal("0.01"))
