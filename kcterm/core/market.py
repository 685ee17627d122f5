"""Per-symbol ticker and trade tape state, fed typed values (venue.events): the touch
(TopOfBook), trades (Trade) and the REST ticker (TickerSnapshot)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from decimal import Decimal

from kcterm.venue.events import TickerSnapshot, TopOfBook, Trade

__all__ = ["TickerState", "Trade", "TradeTape"]


class TickerState:
    """Best bid/ask from the touch feed and the last trade from the tape (the touch feed
    carries no last price)."""

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

    def on_snapshot(self, ticker: TickerSnapshot) -> None:
        """The REST ticker: the touch and the last trade in one reply."""
        self.on_top(ticker.top)
        if ticker.last is not None:
            self._set_last(ticker.last.price, ticker.last.side or "")

    def on_top(self, top: TopOfBook) -> None:
        # A side without a price is 0 in TopOfBook: shown as no price, not as 0.
        self.bid = top.best_bid or None
        self.bid_size = top.best_bid_size
        self.ask = top.best_ask or None
        self.ask_size = top.best_ask_size
        self._touch()

    def on_trade(self, trade: Trade) -> None:
        self._set_last(trade.price, trade.side)

    def change_pct(self) -> Decimal | None:
        if self.last is None or not self.first_price:
            return None
        return (self.last - self.first_price) / self.first_price * 100

    def _set_last(self, price: Decimal, side: str) -> None:
        self.last = price
        self.last_side = str(side)
        if self.first_price is None:
            self.first_price = price
        self._touch()

    def _touch(self) -> None:
        self.version += 1
        self.updated_monotonic = time.monotonic()


class TradeTape:
    """The most recent trades, newest first, bounded so a fast market cannot grow it."""

    def __init__(self, maxlen: int = 200) -> None:
        self.trades: deque[Trade] = deque(maxlen=maxlen)
        self.version = 0

    def on_trade(self, trade: Trade) -> None:
        self.trades.appendleft(trade)
        self.version += 1

    def backfill(self, items: Iterable[Trade]) -> int:
        """Add older trades (the venue's recent history) behind the live ones; returns how
        many were added. Live trades stay first; nothing is added twice."""
        known = {t.trade_id for t in self.trades}
        oldest = self.trades[-1].ts_ns if self.trades else None
        older = [
            trade
            for trade in items
            if trade.trade_id not in known and (oldest is None or trade.ts_ns <= oldest)
        ]
        older.sort(key=lambda t: t.ts_ns, reverse=True)
        room = (self.trades.maxlen or len(older)) - len(self.trades)
        for trade in older[: max(0, room)]:
            self.trades.append(trade)  # append on the right: the old end
        added = min(len(older), max(0, room))
        if added:
            self.version += 1
        return added
