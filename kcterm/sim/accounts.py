"""A trader's futures account: USDT balance, positions, per-symbol margin settings and the
records the account endpoints page through (fills, ledger, funding, closed positions)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kcterm.sim.positions import Position
from kcterm.sim.specs import ContractSpec

DEFAULT_CROSS_LEVERAGE = 5
MAX_RECORDS = 10_000  # per list: enough for a long practice session, bounded for memory


@dataclass
class Account:
    user_id: str
    balance: Decimal  # walletBalance / marginBalance: deposits + realised PnL - fees + funding
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

    def adjust(self, amount: Decimal) -> None:
        """Move the balance (fees, realised PnL, funding) and bump the wallet version."""
        self.balance += amount
        self.version += 1

    def record(self, kind: str, amount: Decimal, now_ms: int, remark: str = "") -> None:
        """A ledger line of transaction-history (Deposit, RealisedPNL, ...)."""
        self.ledger.append(
            {
                "time": now_ms,
                "type": kind,
                "amount": amount,
                "fee": Decimal(0),
                "accountEquity": self.balance,
                "status": "Completed",
                "remark": remark,
                "offset": len(self.ledger) + 1,
                "currency": "USDT",
            }
        )
