"""What the market-data part of the session (core.market_data) needs from a venue: the
subscriptions of one symbol's public feeds, delivered as typed values (venue.events), and the
REST reads of market data. An adapter (venue.kucoin.market_source) implements MarketSource;
core implements MarketSink. Neither side sees the other's names: no topic, path or field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from kcterm.venue.events import (
    BookDelta,
    BookSnapshot,
    ContractSpec,
    DayStats,
    FundingRate,
    Kline,
    LastPrice,
    MarkIndex,
    TickerSnapshot,
    TopOfBook,
    Trade,
)


class MarketSink(Protocol):
    """Where a symbol's live market data goes. Called on the event loop; no I/O inside."""

    def on_book_delta(self, delta: BookDelta) -> None: ...

    def on_book_lost(self, symbol: str, problem: str) -> None:
        """A book message could not be read: the book must be fetched again."""

    def on_top(self, top: TopOfBook) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    def on_mark(self, mark: MarkIndex) -> None: ...

    def on_funding(self, rate: FundingRate) -> None: ...

    def on_day_stats(self, stats: DayStats) -> None: ...

    def on_last_price(self, last: LastPrice) -> None: ...


class MarketSource(Protocol):
    def subscribe_symbol(self, symbol: str, sink: MarketSink) -> None:
        """Book, touch, trades, mark/funding and day statistics of `symbol`, live."""

    def unsubscribe_symbol(self, symbol: str) -> None:
        """Stop every feed subscribe_symbol started (on the wire, not only locally)."""

    def subscribe_last_prices(self, symbols: Iterable[str], sink: MarketSink) -> None:
        """The last trade price of many symbols at once (the watchlist)."""

    def symbol_topics(self, symbol: str) -> list[str]:
        """The venue's subscriptions now live for `symbol` (for status and measurement)."""

    def book_symbols(self, topics: Iterable[str]) -> list[str]:
        """Of the subscriptions a (re)connected link carries, the symbols whose book it is."""

    def now_ms(self) -> int: ...

    async def contracts(
        self, *, background: bool = False
    ) -> tuple[list[ContractSpec], list[DayStats]]:
        """Every tradable contract: its rules, and its market statistics of the day.
        `background`: a poll, which yields the rate budget to anything the trader does."""

    async def ticker(self, symbol: str) -> TickerSnapshot: ...

    async def book_snapshot(self, symbol: str) -> BookSnapshot: ...

    async def trades(self, symbol: str) -> list[Trade]:
        """Recent public trades, newest first."""

    async def last_prices(self) -> list[LastPrice]: ...

    async def klines(
        self, symbol: str, minutes: int, start_ms: int, end_ms: int
    ) -> list[Kline] | None:
        """Candles from start to end; None when the venue offers none at this granularity."""
