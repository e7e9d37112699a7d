"""From what we count (bytes stored, views) to what Stream bills (minutes).

Stream bills minutes stored and minutes delivered; we know bytes and view counts, so
two assumptions turn one into the other. They are rough on purpose: the estimate is
for planning a budget, not for checking an invoice.

Prices as published in 2026-11 (see shared/reference/storage-contracts.md).
"""

from __future__ import annotations

from decimal import Decimal

from storage_backends.cost import usd

PRICES_AS_OF = "2026-11"
# Stream bills minutes stored and minutes delivered.
STORAGE_PER_1000_MIN = Decimal("5.00")
DELIVERY_PER_1000_MIN = Decimal("1.00")

# Students upload phone and webcam recordings: a 720p webcam clip runs ~1.5-3 Mbit/s,
# a 1080p phone clip ~8-16 Mbit/s. 5 Mbit/s is a middle we assume for the uploads, so
# 1 minute ~ 37.5 MB. Stream bills by duration, not by size: the re-encoding is free.
ASSUMED_UPLOAD_BITRATE_BITS_PER_SECOND = 5_000_000
# We count views, Stream bills minutes watched. We assume a view watches this many
# minutes (a typical assignment video, teachers grading watch most of it).
ASSUMED_MINUTES_WATCHED_PER_VIEW = Decimal(5)


def stored_minutes(total_bytes: int) -> Decimal:
    seconds = Decimal(total_bytes) * 8 / ASSUMED_UPLOAD_BITRATE_BITS_PER_SECOND
    return seconds / 60


def estimate_monthly_cost(total_bytes: int, total_views: int) -> Decimal:
    """USD per month for `total_bytes` stored and `total_views` views a month."""
    return monthly(
        stored_minutes=stored_minutes(max(total_bytes, 0)),
        delivered_minutes=Decimal(max(total_views, 0)) * ASSUMED_MINUTES_WATCHED_PER_VIEW,
    )


def monthly(*, stored_minutes: Decimal, delivered_minutes: Decimal) -> Decimal:
    storage = stored_minutes / 1000 * STORAGE_PER_1000_MIN
    delivery = delivered_minutes / 1000 * DELIVERY_PER_1000_MIN
    return usd(storage + delivery)
