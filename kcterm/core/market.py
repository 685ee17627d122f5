"""Per-symbol ticker and trade tape state fed by tickerV2 and execution (spec/REFERENCE.md 8.2)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal


@dataclass(frozen=True, slots=True)
class Trade:
    price: Decimal
    size: int
    side: str  # taker side
    ts_ns: int
    trade_id: str


class TickerState:
    """Best bid/ask from tickerV2 and the last trade from execution (tickerV2 carries no last)."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bid: Decimal | None = None
        self.bid_size = 0
        self.ask: Decimal | None = None
        self.ask_size = 0
        self.last: Decimal | None = None
        self.last_side = ""
        self.first_price: Decimal | None = None  # first price this session saw: change % base
        self.version = 0
        self.updated_monotonic = 0.0

    def on_rest_ticker(self, data: dict[str, Any]) -> None:
        """GET /api/v1/ticker: BBO and last trade in one reply."""
        self._set_bbo(data)
        if data.get("price") not in (None, ""):
            self._set_last(to_decimal(data["price"]), data.get("side", ""))

    def on_ticker_v2(self, data: dict[str, Any]) -> None:
        self._set_bbo(data)

    def on_trade(self, trade: Trade) -> None:
        self._set_last(trade.price, trade.side)

    def change_pct(self) -> Decimal | None:
        if self.last is None or not self.first_price:
            return None
        return (self.last - self.first_price) / self.first_price * 100

    def _set_bbo(self, data: dict[str, Any]) -> None:
        self.bid = to_decimal(data["bestBidPrice"]) if data.get("bestBidPrice") else None
        self.bid_size = int(data.get("bestBidSize") or 0)
        self.ask = to_decimal(data["bestAskPrice"]) if data.get("bestAskPrice") else None
        self.ask_size = int(data.get("bestAskSize") or 0)
        self._touch()

    def _set_last(self, price: Decimal, side: str) -> None:
        self.last = price
        self.last_side = side
        if self.first_price is None:
            self.first_price = price
        self._touch()

    def _touch(self) -> None:
        self.version += 1
        self.updated_monotonic = time.monotonic()


class TradeTape:
    """The most recent executions, newest first, bounded so a fast market cannot grow it."""

    def __init__(self, maxlen: int = 200) -> None:
        self.trades: deque[Trade] = deque(maxlen=maxlen)
        self.version = 0

    def on_execution(self, data: dict[str, Any]) -> Trade:
        trade = Trade(
            price=to_decimal(data["price"]),
            size=int(data["size"]),
            side=str(data.get("side", "")),
            ts_ns=int(data.get("ts") or 0),
            trade_id=str(data.get("tradeId", "")),
        )
        self.trades.appendleft(trade)
        self.version += 1
        return trade

    def backfill(self, items: list[dict[str, Any]]) -> int:
        """Add older trades from GET /api/v1/trade/history behind the live ones; returns how
        many were added. Live trades stay first; nothing is added twice."""
        known = {t.trade_id for t in self.trades}
        oldest = self.trades[-1].ts_ns if self.trades else None
        older = []
        for item in items:
            trade_id = str(item.get("tradeId", ""))
            ts_ns = int(item.get("ts") or 0)
            if trade_id in known or (oldest is not None and ts_ns > oldest):
                continue
            older.append(
                Trade(
                    to_decimal(item["price"]),
                    int(item["size"]),
                    str(item.get("side", "")),
                    ts_ns,
                    trade_id,
                )
            )
        older.sort(key=lambda t: t.ts_ns, reverse=True)
        room = (self.trades.maxlen or len(older)) - len(self.trades)
        for trade in older[: max(0, room)]:
            self.trades.append(trade)  # append on the right: the old end
        added = min(len(older), max(0, room))
        if added:
            self.version += 1
        return added
