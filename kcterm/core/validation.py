"""Order entry rules checked before any request is built (REFERENCE 7.2 and 7.9).

Everything a user types arrives here as text. It leaves as an `OrderRequest` whose price is an
exact multiple of the tick and whose size is a whole number of lots, or as `OrderRejected`
naming the field and the reason in words a trader reads in the ticket.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kcterm.core.contract import Contract


class OrderRejected(ValueError):
    """A ticket entry that breaks a contract rule; `field` says which input to point at."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """What the ticket holds, as typed."""

    symbol: str
    side: str  # "buy" | "sell"
    order_type: str  # "limit" | "market"
    size: str
    price: str = ""
    leverage: int = 5
    margin_mode: str = "ISOLATED"


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A validated order, ready for POST /api/v1/orders."""

    client_oid: str
    symbol: str
    side: str
    order_type: str
    size: int
    price: Decimal | None
    price_text: str | None
    leverage: int
    margin_mode: str

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "clientOid": self.client_oid,
            "side": self.side,
            "symbol": self.symbol,
            "leverage": self.leverage,
            "type": self.order_type,
            "size": self.size,
            "marginMode": self.margin_mode,
        }
        if self.price_text is not None:
            body["price"] = self.price_text
            body["timeInForce"] = "GTC"
        return body


def new_client_oid() -> str:
    """32 hex characters: inside KuCoin's 40-character [A-Za-z0-9_-] rule and unique."""
    return uuid.uuid4().hex


def validate_order(contract: Contract, draft: OrderDraft) -> OrderRequest:
    if draft.side not in ("buy", "sell"):
        raise OrderRejected("side", f"Side must be buy or sell, not {draft.side!r}.")
    if draft.order_type not in ("limit", "market"):
        raise OrderRejected(
            "type", f"Order type must be limit or market, not {draft.order_type!r}."
        )
    size = _parse_size(contract, draft.size)
    if not 1 <= draft.leverage <= contract.max_leverage:
        raise OrderRejected("leverage", f"Leverage must be between 1 and {contract.max_leverage}x.")
    price: Decimal | None = None
    price_text: str | None = None
    if draft.order_type == "limit":
        price = _parse_price(contract, draft.price, draft.side)
        price_text = contract.format_price(price)
    return OrderRequest(
        client_oid=new_client_oid(),
        symbol=contract.symbol,
        side=draft.side,
        order_type=draft.order_type,
        size=size,
        price=price,
        price_text=price_text,
        leverage=draft.leverage,
        margin_mode=draft.margin_mode,
    )


def _parse_size(contract: Contract, text: str) -> int:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise OrderRejected("size", "Enter a size in lots.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise OrderRejected("size", f"Size {text!r} is not a number.") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise OrderRejected("size", "Size must be a whole number of lots.")
    size = int(value)
    if size < 1:
        raise OrderRejected("size", "Size must be at least 1 lot.")
    if size % contract.lot_size:
        raise OrderRejected("size", f"Size must be a multiple of the lot size {contract.lot_size}.")
    if size > contract.max_order_qty:
        raise OrderRejected(
            "size", f"Size {size} is above the maximum of {contract.max_order_qty} lots."
        )
    return size


def _parse_price(contract: Contract, text: str, side: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise OrderRejected("price", "A limit order needs a price.")
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        raise OrderRejected("price", f"Price {text!r} is not a number.") from None
    if not price.is_finite() or price <= 0:
        raise OrderRejected("price", "Price must be above zero.")
    if not contract.is_on_tick(price):
        raise OrderRejected(
            "price",
            f"Price {cleaned} is not on the tick grid: use a multiple of "
            f"{contract.format_price(contract.tick_size)}.",
        )
    if price > contract.max_price:
        raise OrderRejected("price", f"Price is above the contract maximum {contract.max_price}.")
    if side == "buy" and contract.buy_limit is not None and price > contract.buy_limit:
        raise OrderRejected(
            "price",
            f"Buy price is above the exchange's band {contract.format_price(contract.buy_limit)}.",
        )
    if side == "sell" and contract.sell_limit is not None and price < contract.sell_limit:
        raise OrderRejected(
            "price",
            "Sell price is below the exchange's band "
            f"{contract.format_price(contract.sell_limit)}.",
        )
    return price
