"""Number formatting shared by the panels: contract precision, thousands separators."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.contract import Contract


def price_text(contract: Contract | None, price: Decimal | None) -> str:
    if price is None:
        return "—"
    if contract is None:
        return str(price)
    return f"{price:,.{contract.price_places}f}"


def size_text(size: int | None) -> str:
    return "—" if size is None else f"{size:,}"


def pct_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:+.2f}%"
