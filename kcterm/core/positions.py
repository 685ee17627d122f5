"""Open positions as the exchange reports them: the position feed live, REST to reconcile.
Both arrive as the venue's PositionUpdate values (kcterm.venue.events).

A clean core API for the positions grid: `Positions.all()` gives `Position` records with
Decimals, `version` moves on every change. The feed is applied as it comes; a REST snapshot
(`merge`) fixes what the feed missed while disconnected, but never overwrites a symbol whose
feed event arrived after the snapshot was requested (that event is newer than the snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from kcterm.core.marks import differences, event_mark
from kcterm.venue.events import PositionUpdate


@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    qty: int  # signed lots: negative is short
    avg_entry: Decimal
    mark_price: Decimal
    unrealised_pnl: Decimal
    realised_pnl: Decimal
    liquidation_price: Decimal
    margin: Decimal
    leverage: Decimal
    margin_mode: str
    adl_rank: Decimal | None = None  # where it stands in the auto-deleveraging queue (0-1)
    # Money fields (PnL, margin) are in this currency: the coin for an inverse contract.
    settle_currency: str = "USDT"
    is_inverse: bool = False

    @property
    def side(self) -> str:
        return "long" if self.qty > 0 else "short" if self.qty < 0 else "flat"

    @classmethod
    def from_update(cls, update: PositionUpdate, previous: Position | None = None) -> Position:
        """From the venue's report; fields a (mark-only) update leaves out keep their previous
        values."""

        def pick(name: str, attr: str) -> Any:
            if previous is None or update.reports(name):
                return getattr(update, name)
            return getattr(previous, attr)

        cross = pick("cross_margin", "margin_mode")
        return cls(
            symbol=update.symbol,
            qty=pick("qty", "qty"),
            avg_entry=pick("avg_entry_price", "avg_entry"),
            mark_price=pick("mark_price", "mark_price"),
            unrealised_pnl=pick("unrealised_pnl", "unrealised_pnl"),
            realised_pnl=pick("realised_pnl", "realised_pnl"),
            liquidation_price=pick("liquidation_price", "liquidation_price"),
            margin=pick("margin", "margin"),
            leverage=pick("leverage", "leverage"),
            margin_mode=cross if isinstance(cross, str) else "CROSS" if cross else "ISOLATED",
            adl_rank=pick("adl_rank", "adl_rank"),
            settle_currency=pick("settle_currency", "settle_currency"),
            is_inverse=pick("inverse", "is_inverse"),
        )


# What decides whether local and exchange agree; marks and PnL move with the market.
POSITION_KEYS = ("qty", "avg_entry", "margin_mode")


class Positions:
    """symbol -> open Position."""

    def __init__(self) -> None:
        self._positions: dict[str, Position] = {}
        self._touched: dict[str, int] = {}  # symbol -> event mark of its last feed event
        self.version = 0

    def __len__(self) -> int:
        return len(self._positions)

    def get(self, symbol: str) -> Position | None:
        return self._positions.get(symbol)

    def all(self) -> list[Position]:
        return sorted(self._positions.values(), key=lambda p: p.symbol)

    def apply(self, update: PositionUpdate) -> Position | None:
        """One position update from the feed (a note that names no quantity for a position we
        do not hold changes nothing)."""
        symbol = update.symbol
        if not update.reports("qty") and symbol not in self:
            return None
        position = Position.from_update(update, self._positions.get(symbol))
        self._touched[symbol] = event_mark()
        self._store(position)
        return position if position.qty else None

    def touched_since(self, mark: int) -> set[str]:
        """Symbols the feed reported a position change for after `mark`."""
        return {symbol for symbol, at in self._touched.items() if at > mark}

    def merge(self, updates: list[PositionUpdate], mark: int) -> list[str]:
        """Reconcile with the venue's position list taken at `mark`; returns what was fixed."""
        remote = {u.symbol: Position.from_update(u) for u in updates if u.qty}
        changes: list[str] = []
        for symbol in sorted(set(remote) | set(self._positions)):
            if self._touched.get(symbol, 0) > mark:
                continue  # the feed told us something newer than this snapshot
            local, fresh = self._positions.get(symbol), remote.get(symbol)
            if local is None and fresh is not None:
                changes.append(
                    f"position {symbol} missing locally: {fresh.qty} @ {fresh.avg_entry}"
                )
            elif fresh is None and local is not None:
                changes.append(f"position {symbol} closed on the exchange (was {local.qty})")
            elif local is not None and fresh is not None:
                diff = differences(local, fresh, POSITION_KEYS)
                if diff:
                    changes.append(f"position {symbol}: {', '.join(diff)}")
            if fresh is not None:
                self._store(fresh)
            elif local is not None:
                self._store(replace(local, qty=0))
        return changes

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._positions

    def _store(self, position: Position) -> None:
        if position.qty == 0:
            self._positions.pop(position.symbol, None)
        else:
            self._positions[position.symbol] = position
        self.version += 1
