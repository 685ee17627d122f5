"""A trader's futures account: a wallet per settlement currency (USDT, USDC, XBT, ETH),
positions, per-symbol margin settings and the records the account endpoints page through
(fills, ledger, funding, closed positions)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kcterm.sim.positions import Position
from kcterm.sim.specs import ContractSpec

DEFAULT_CROSS_LEVERAGE = 5
MAX_RECORDS = 10_000  # per list: enough for a long practice session, bounded for memory


CURRENCIES = ("USDT", "USDC", "XBT", "ETH")


@dataclass
class Account:
    user_id: str
    # walletBalance / marginBalance per currency: deposits + realised PnL - fees + funding.
    # Each contract clears in its settlement currency's wallet only (spec.settle).
    balances: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    margin_modes: dict[str, str] = field(default_factory=dict)
    cross_leverage: dict[str, int] = field(default_factory=dict)
    fills: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_RECORDS))
    ledger: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_RECORDS))
    funding_history: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=MAX_RECORDS)
    )
    closed_positions: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=MAX_RECORDS)
    )
    version: int = 0  # the wallet feed's version: +1 per balance change

    def margin_mode(self, symbol: str) -> str:
        return self.margin_modes.get(symbol, "ISOLATED")

    def leverage(self, symbol: str) -> int:
        return self.cross_leverage.get(symbol, DEFAULT_CROSS_LEVERAGE)

    def position(self, spec: ContractSpec) -> Position:
        pos = self.positions.get(spec.symbol)
        if pos is None:
            pos = self.positions[spec.symbol] = Position(
                spec, self.user_id, self.margin_mode(spec.symbol)
            )
        return pos

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.qty != 0]

    @property
    def balance(self) -> Decimal:
        """The USDT wallet (the account's main one)."""
        return self.balance_of("USDT")

    def balance_of(self, currency: str) -> Decimal:
        return self.balances.get(currency, Decimal(0))

    def adjust(self, amount: Decimal, currency: str = "USDT") -> None:
        """Move a wallet (fees, realised PnL, funding) and bump the wallet version."""
        self.balances[currency] = self.balance_of(currency) + amount
        self.version += 1

    def record(
        self, kind: str, amount: Decimal, now_ms: int, remark: str = "", currency: str = "USDT"
    ) -> None:
        """A ledger line of transaction-history (Deposit, RealisedPNL, ...)."""
        self.ledger.append(
            {
                "time": now_ms,
                "type": kind,
                "amount": amount,
                "fee": Decimal(0),
                "accountEquity": self.balance_of(currency),
                "status": "Completed",
                "remark": remark,
                "offset": len(self.ledger) + 1,
                "currency": currency,
            }
        )
