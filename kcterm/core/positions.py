"""Open positions as the exchange reports them: the position feed live, REST to reconcile.

A clean core API for the positions grid: `Positions.all()` gives `Position` records with
Decimals, `version` moves on every change. The feed is applied as it comes; a REST snapshot
(`merge`) fixes what the feed missed while disconnected, but never overwrites a symbol whose
feed event arrived after the snapshot was requested (that event is newer than the snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal
from kcterm.core.marks import differences, event_mark


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
    adl_rank: Decimal | None = None  # delevPercentage: where it stands in the ADL queue (0-1)
    # Money fields (PnL, margin) are in this currency: the coin for an inverse contract.
    settle_currency: str = "USDT"
    is_inverse: bool = False

    @property
    def side(self) -> str:
        return "long" if self.qty > 0 else "short" if self.qty < 0 else "flat"

    @classmethod
    def from_api(cls, item: dict[str, Any], previous: Position | None = None) -> Position:
        """From a REST position or a position.change payload; fields a (mark-only) event
        leaves out keep their previous values."""

        def pick(key: str, attr: str, default: Any = 0) -> Any:
            if key in item and item[key] is not None:
                return item[key]
            return getattr(previous, attr) if previous is not None else default

        return cls(
            symbol=str(item["symbol"]),
            qty=int(pick("currentQty", "qty")),
            avg_entry=to_decimal(pick("avgEntryPrice", "avg_entry")),
            mark_price=to_decimal(pick("markPrice", "mark_price")),
            unrealised_pnl=to_decimal(pick("unrealisedPnl", "unrealised_pnl")),
            realised_pnl=to_decimal(pick("realisedPnl", "realised_pnl")),
            liquidation_price=to_decimal(pick("liquidationPrice", "liquidation_price")),
            margin=to_decimal(pick("posMargin", "margin")),
            leverage=to_decimal(pick("leverage", "leverage")),
            margin_mode=str(pick("marginMode", "margin_mode", "ISOLATED")),
            adl_rank=_optional(pick("delevPercentage", "adl_rank", None)),
            settle_currency=str(pick("settleCurrency", "settle_currency", "USDT")),
            is_inverse=bool(pick("isInverse", "is_inverse", False)),
        )


def _optional(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


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

    def apply_event(self, data: dict[str, Any]) -> Position | None:
        """One position.change payload (a settlement or risk-limit note changes no quantity)."""
        symbol = data.get("symbol")
        if not isinstance(symbol, str) or ("currentQty" not in data and symbol not in self):
            return None
        position = Position.from_api(data, self._positions.get(symbol))
        self._touched[symbol] = event_mark()
        self._store(position)
        return position if position.qty else None

    def merge(self, items: list[dict[str, Any]], mark: int) -> list[str]:
        """Reconcile with GET /api/v1/positions taken at `mark`; returns what was fixed."""
        remote = {str(i["symbol"]): Position.from_api(i) for i in items if int(i["currentQty"])}
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
                self._store(Position.from_api({"symbol": symbol, "currentQty": 0}, local))
        return changes

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._positions

    def _store(self, position: Position) -> None:
        if position.qty == 0:
            self._positions.pop(position.symbol, None)
        else:
            self._positions[position.symbol] = position
        self.version += 1
