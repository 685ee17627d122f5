"""What the market-data part of the session (core.market_data) needs from a venue: the
subscriptions of one symbol's public feeds, delivered as typed values (venue.events), and the
REST reads of market data. An adapter (venue.kucoin.market_source) implements MarketSource;
core implements MarketSink and, for each symbol's book, BookChanges. Neither side sees the
other's names: no topic, path or field.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from kcterm.venue.events import (
    BookSnapshot,
    ContractSpec,
    DayStats,
    FundingRate,
    Kline,
    LastPrice,
    MarkIndex,
    Side,
    TickerSnapshot,
    TopOfBook,
    Trade,
)


class BookChanges(Protocol):
    """One symbol's level-2 book as its feed changes it (the hottest path of the app:
    thousands of calls a second). The adapter calls `change` straight from each message it
    read, the fields of a venue.events.BookDelta as arguments (no value is built for it), and
    `lost` for a message it could not read. Called on the event loop; no I/O inside."""

    def change(self, sequence: int, side: Side, price: Decimal, size: int, ts_ns: int) -> object:
        """The size now resting at `price` on `side` (0 removes the level); `sequence`
        orders the changes (the snapshot shares it); `ts_ns`: the venue's time, 0 if none.
        What it returns is the book's own business (the adapter ignores it)."""

    def lost(self, problem: str) -> object:
        """A book message could not be read: the book must be fetched again."""


class MarketSink(Protocol):
    """Where a symbol's live market data goes. Called on the event loop; no I/O inside."""

    def on_top(self, top: TopOfBook) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    def on_mark(self, mark: MarkIndex) -> None: ...

    def on_funding(self, rate: FundingRate) -> None: ...

    def on_day_stats(self, stats: DayStats) -> None: ...

    def on_last_price(self, last: LastPrice) -> None: ...


class MarketSource(Protocol):
    def subscribe_symbol(self, symbol: str, sink: MarketSink, book: BookChanges) -> None:
        """Book (its changes to `book`), touch, trades, mark/funding and day statistics of
        `symbol` (to `sink`), live."""

    def unsubscribe_symbol(self, symbol: str) -> None:
        """Stop every feed subscribe_symbol started (on the wire, not only locally): from
        here on neither the sink nor the book is called for `symbol`."""

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
