"""Number formatting shared by the panels: contract precision, thousands separators."""

from __future__ import annotations

import time
from decimal import Decimal

from kcterm.core.contract import Contract

DASH = "—"


def price_text(contract: Contract | None, price: Decimal | None) -> str:
    if price is None:
        return DASH
    if contract is None:
        return str(price)
    return f"{price:,.{contract.price_places}f}"


def size_text(size: int | None) -> str:
    return DASH if size is None else f"{size:,}"


def pct_text(value: Decimal | None) -> str:
    return DASH if value is None else f"{value:+.2f}%"


def rate_text(rate: Decimal | None) -> str:
    """A funding rate (a fraction) as a percentage with the precision traders quote."""
    return DASH if rate is None else f"{rate * 100:+.4f}%"


def compact_text(value: Decimal | float | None) -> str:
    """Large amounts in K/M/B with three significant decimals (volumes, turnover)."""
    if value is None:
        return DASH
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(number) >= limit:
            return f"{number / limit:,.2f}{suffix}"
    return f"{number:,.2f}"


def clock_text(epoch_seconds: float, millis: bool = False) -> str:
    """Local time of day; with milliseconds for the tape and the journal."""
    text = time.strftime("%H:%M:%S", time.localtime(epoch_seconds))
    if millis:
        text += f".{int(epoch_seconds * 1000) % 1000:03d}"
    return text


def sort_number(value: Decimal | int | None) -> float:
    """A sort key Qt can compare (it cannot compare Decimals); missing values sort first."""
    return float("-inf") if value is None else float(value)
