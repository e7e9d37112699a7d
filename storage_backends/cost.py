"""Arithmetic every backend's estimate shares. Each backend keeps its own prices, dated,
in its package (`s3/costs.py`, `cloudflare/costs.py`). Estimates are for planning,
not invoices.
"""

from __future__ import annotations

from decimal import Decimal

GB = Decimal(1000**3)


def usd(amount: Decimal) -> Decimal:
    """Rounded to the cent, as every estimate is shown."""
    return amount.quantize(Decimal("0.01"))
