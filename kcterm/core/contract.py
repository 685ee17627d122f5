"""Contract specifications as the trading rules need them: exact Decimals, never floats.

Linear contracts (XBTUSDTM, XBTUSDCM) are worth lots x multiplier x price in the quote
currency. Inverse (coin-margined) ones such as XBTUSDM are quoted in USD and settled in the
coin: the venue's ContractSpec gives their multiplier as USD per lot, positive, and
``is_inverse``. Their value is lots x |multiplier| / price coins, a long's PnL
lots x |multiplier| x (1/entry - 1/exit), margin value / leverage, fees value x rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.venue.events import ContractSpec


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
    is_inverse: bool = False  # coin-margined: multiplier is USD per lot (kept positive)

    @classmethod
    def from_spec(cls, spec: ContractSpec) -> Contract:
        """Core's contract from the venue's statement of its rules (venue.events)."""
        return cls(
            symbol=spec.symbol,
            base_currency=spec.base_currency,
            quote_currency=spec.quote_currency,
            settle_currency=spec.settle_currency,
            tick_size=spec.tick_size,
            lot_size=spec.lot_size,
            multiplier=spec.multiplier,
            max_order_qty=spec.max_order_qty,
            max_price=spec.max_price,
            max_leverage=spec.max_leverage,
            maker_fee_rate=spec.maker_fee_rate,
            taker_fee_rate=spec.taker_fee_rate,
            buy_limit=spec.buy_limit,
            sell_limit=spec.sell_limit,
            status=spec.status,
            maintain_margin=spec.maintain_margin,
            is_inverse=spec.is_inverse,
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

    # -- value and PnL in the settlement currency ------------------------------------------

    @property
    def money_places(self) -> int:
        """Decimal places money of this contract shows: 8 for a coin, 2 for USDT/USDC."""
        return 8 if self.is_inverse else 2

    def value(self, lots: int | Decimal, price: Decimal) -> Decimal:
        """What ``lots`` are worth at ``price`` in the settlement currency (signed as lots)."""
        if self.is_inverse:
            return lots * self.multiplier / price if price else Decimal(0)
        return lots * self.multiplier * price

    def pnl(self, lots: int | Decimal, entry: Decimal, exit_price: Decimal) -> Decimal:
        """PnL of ``lots`` (signed: negative is short) from entry to exit, settlement currency."""
        if self.is_inverse:
            if not entry or not exit_price:
                return Decimal(0)
            return lots * self.multiplier * (1 / entry - 1 / exit_price)
        return lots * self.multiplier * (exit_price - entry)

    def liquidation_price(
        self, qty: int, entry: Decimal, margin: Decimal, mmr: Decimal | None = None
    ) -> Decimal | None:
        """The mark at which an isolated position's equity (margin + PnL) meets its maintenance
        margin (value x mmr); None when there is none (flat, or an inverse short holding more
        margin than its value). Linear long: (qE - M) / (q(1 - mmr)); short (qE + M) / (q(1 +
        mmr)); inverse long q(1 + mmr) / (M + q/E); short q(1 - mmr) / (q/E - M)."""
        rate = self.maintain_margin if mmr is None else mmr
        if qty == 0 or entry <= 0:
            return None
        q = abs(qty) * self.multiplier
        if self.is_inverse:
            if qty > 0:
                return q * (1 + rate) / (margin + q / entry)
            room = q / entry - margin
            return q * (1 - rate) / room if room > 0 else None
        if qty > 0:
            price = (q * entry - margin) / (q * (1 - rate))
        else:
            price = (q * entry + margin) / (q * (1 + rate))
        return max(Decimal(0), price)
