"""Contract specifications as the trading rules need them: exact Decimals, never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def to_decimal(value: Any) -> Decimal:
    """Turn a JSON number or string into an exact Decimal.

    orjson parses `0.1` as the float 0.1; str() of a float is its shortest round-trip text,
    so Decimal(str(x)) recovers exactly what the exchange wrote.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class Contract:
    symbol: str
    base_currency: str
    quote_currency: str
    settle_currency: str
    tick_size: Decimal
    lot_size: int
    multiplier: Decimal
    max_order_qty: int
    max_price: Decimal
    max_leverage: int
    maker_fee_rate: Decimal
    taker_fee_rate: Decimal
    buy_limit: Decimal | None = None
    sell_limit: Decimal | None = None
    status: str = "Open"
    maintain_margin: Decimal = Decimal(0)  # maintenance margin rate (liquidation previews)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Contract:
        """Build from one object of GET /api/v1/contracts/active (spec/REFERENCE.md 7.2)."""

        def optional(name: str) -> Decimal | None:
            value = data.get(name)
            return None if value in (None, "") else to_decimal(value)

        return cls(
            symbol=data["symbol"],
            base_currency=data.get("baseCurrency", ""),
            quote_currency=data.get("quoteCurrency", ""),
            settle_currency=data.get("settleCurrency", ""),
            tick_size=to_decimal(data["tickSize"]),
            lot_size=int(data.get("lotSize") or 1),
            multiplier=to_decimal(data["multiplier"]),
            max_order_qty=int(data.get("maxOrderQty") or 1_000_000),
            max_price=to_decimal(data.get("maxPrice") or 1_000_000),
            max_leverage=int(data.get("maxLeverage") or 1),
            maker_fee_rate=to_decimal(data.get("makerFeeRate") or 0),
            taker_fee_rate=to_decimal(data.get("takerFeeRate") or 0),
            buy_limit=optional("buyLimit"),
            sell_limit=optional("sellLimit"),
            status=data.get("status", "Open"),
            maintain_margin=to_decimal(data.get("maintainMargin") or 0),
        )

    @property
    def price_places(self) -> int:
        """Decimal places of the tick size: how many digits every price shows."""
        exponent = self.tick_size.normalize().as_tuple().exponent
        return max(0, -int(exponent))

    def format_price(self, price: Decimal) -> str:
        """Render a price at the contract's precision (for display and for the wire)."""
        return f"{price:.{self.price_places}f}"

    def is_on_tick(self, price: Decimal) -> bool:
        return price % self.tick_size == 0
