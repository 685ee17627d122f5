"""Typed orders for tests that drive the order gateway directly: what a validated ticket
(core.validation.OrderRequest) would carry, without a contract to validate against."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kcterm.core.validation import OrderRequest


def limit_order(
    oid: str, symbol: str, side: str, price: Decimal, size: int = 1, **terms: Any
) -> OrderRequest:
    """A limit order at `price` (an exact Decimal; its text is what the adapter sends)."""
    return OrderRequest(
        client_oid=oid, symbol=symbol, side=side, order_type="limit", size=size,
        price=price, price_text=f"{price:f}", leverage=5, margin_mode="ISOLATED", **terms,
    )  # fmt: skip


def market_order(oid: str, symbol: str, side: str, size: int = 1, **terms: Any) -> OrderRequest:
    return OrderRequest(
        client_oid=oid, symbol=symbol, side=side, order_type="market", size=size,
        price=None, price_text=None, leverage=5, margin_mode="ISOLATED", **terms,
    )  # fmt: skip
