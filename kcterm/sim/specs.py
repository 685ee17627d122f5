"""The contracts the embedded exchange lists, with specs close to KuCoin's own.

See spec/REFERENCE.md 7.2."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ContractSpec:
    symbol: str
    base: str  # KuCoin calls bitcoin XBT
    tick_size: Decimal
    multiplier: Decimal  # coins per lot
    start_price: Decimal
    max_leverage: int
    initial_margin: Decimal
    maintain_margin: Decimal
    index_tick_size: Decimal = Decimal("0.01")
    lot_size: int = 1
    max_order_qty: int = 1_000_000
    max_price: Decimal = Decimal("1000000")
    maker_fee_rate: Decimal = Decimal("0.0002")
    taker_fee_rate: Decimal = Decimal("0.0006")
    funding_granularity_ms: int = 28_800_000
    # Per-step standard deviation of the index: 4e-5 at 5 steps/s is about 2.5 % a day.
    volatility: Decimal = Decimal("0.00004")

    def ticks(self, price: Decimal) -> int:
        """A price as a whole number of ticks (the engine's exact internal unit)."""
        return int(price / self.tick_size)

    def price(self, ticks: int) -> Decimal:
        return ticks * self.tick_size

    def price_text(self, ticks: int) -> str:
        return str(ticks * self.tick_size)


CONTRACTS: tuple[ContractSpec, ...] = (
    ContractSpec(
        symbol="XBTUSDTM",
        base="XBT",
        tick_size=Decimal("0.1"),
        multiplier=Decimal("0.001"),
        start_price=Decimal("91250.0"),
        max_leverage=125,
        initial_margin=Decimal("0.008"),
        maintain_margin=Decimal("0.004"),
    ),
    ContractSpec(
        symbol="ETHUSDTM",
        base="ETH",
        tick_size=Decimal("0.01"),
        multiplier=Decimal("0.01"),
        start_price=Decimal("3125.00"),
        max_leverage=100,
        initial_margin=Decimal("0.01"),
        maintain_margin=Decimal("0.005"),
        volatility=Decimal("0.00005"),
    ),
    ContractSpec(
        symbol="SOLUSDTM",
        base="SOL",
        tick_size=Decimal("0.001"),
        multiplier=Decimal("0.1"),
        start_price=Decimal("142.500"),
        max_leverage=75,
        initial_margin=Decimal("0.0134"),
        maintain_margin=Decimal("0.0067"),
        index_tick_size=Decimal("0.001"),
        volatility=Decimal("0.00006"),
    ),
)
