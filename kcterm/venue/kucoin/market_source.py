"""The KuCoin adapter's market-data side (venue.market.MarketSource): which public topics a
symbol needs, their frames parsed into typed values (market_events), and the REST reads of
market data, typed as well. Nothing above this file knows a topic name or a field name.

Per symbol five topics (spec/REFERENCE.md 8.2): level2 (the book), tickerV2 (the touch),
execution (the tape), instrument (mark, index, funding) and snapshot (24 h statistics). A venue
without the last two rejects them and the watchlist keeps its REST-polled numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from kcterm.venue.events import (
    BookSnapshot,
    ContractSpec,
    DayStats,
    FundingRate,
    Kline,
    LastPrice,
    MarkIndex,
    TickerSnapshot,
    Trade,
)
from kcterm.venue.kucoin import market_events as parse
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.frames import Handler, snippet
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup
from kcterm.venue.market import BookChanges, MarketSink
from kcterm.venue.priority import Priority

log = logging.getLogger("kcterm.venue.kucoin.market")

LEVEL2 = "/contractMarket/level2:"
TICKER_V2 = "/contractMarket/tickerV2:"
EXECUTION = "/contractMarket/execution:"
INSTRUMENT = "/contract/instrument:"
SNAPSHOT = "/contractMarket/snapshot:"
LAST_PRICES = "/contractMarket/ticker:"
SYMBOL_PREFIXES = (LEVEL2, TICKER_V2, EXECUTION, INSTRUMENT, SNAPSHOT)
KLINES_NOT_OFFERED = {"404000", "400100"}  # no such endpoint, or the granularity refused


class KucoinMarketSource:
    def __init__(self, rest: RestClient, public: StreamGroup) -> None:
        self.rest = rest
        self.public = public

    # -- live feeds ------------------------------------------------------------------------

    def subscribe_symbol(self, symbol: str, sink: MarketSink, book: BookChanges) -> None:
        handlers: tuple[Handler, ...] = (
            _level2_handler(symbol, book),
            _handler(symbol, "tickerV2", lambda f: sink.on_top(parse.top_of_book(f["data"]))),
            _handler(symbol, "execution", lambda f: sink.on_trade(parse.trade(f["data"]))),
            _handler(symbol, "instrument", lambda f: _instrument(symbol, sink, f)),
            _handler(symbol, "snapshot", lambda f: _day_stats(sink, f)),
        )
        for prefix, handler in zip(SYMBOL_PREFIXES, handlers, strict=True):
            self.public.subscribe(prefix + symbol, handler)

    def unsubscribe_symbol(self, symbol: str) -> None:
        for prefix in SYMBOL_PREFIXES:
            self.public.unsubscribe(prefix + symbol)

    def subscribe_last_prices(self, symbols: Iterable[str], sink: MarketSink) -> None:
        names = list(symbols)
        if not names:
            return

        def on_frame(frame: dict[str, Any]) -> None:
            last = parse.last_price(frame.get("data"))
            if last is not None:
                sink.on_last_price(last)

        self.public.subscribe(LAST_PRICES + ",".join(names), on_frame)

    def symbol_topics(self, symbol: str) -> list[str]:
        wanted = {prefix + symbol for prefix in SYMBOL_PREFIXES}
        return [t for s in self.public.streams for t in s.topics if t in wanted]

    def book_symbols(self, topics: Iterable[str]) -> list[str]:
        return [t[len(LEVEL2) :] for t in topics if t.startswith(LEVEL2)]

    def now_ms(self) -> int:
        return self.rest.now_ms()

    # -- REST ------------------------------------------------------------------------------

    async def contracts(
        self, *, background: bool = False
    ) -> tuple[list[ContractSpec], list[DayStats]]:
        if background:
            path = "/api/v1/contracts/active"
            items = await self.rest.request("GET", path, priority=Priority.BACKGROUND) or []
        else:
            items = await self.rest.active_contracts()
        specs: list[ContractSpec] = []
        stats: list[DayStats] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            try:
                specs.append(parse.contract_spec(item))
                stats.append(parse.day_stats(item))
            except parse.BadMarketData as exc:
                log.warning("contract left out: %s", exc)
        return specs, stats

    async def ticker(self, symbol: str) -> TickerSnapshot:
        return parse.ticker_snapshot(await self.rest.ticker(symbol))

    async def book_snapshot(self, symbol: str) -> BookSnapshot:
        return parse.book_snapshot(symbol, await self.rest.level2_snapshot(symbol))

    async def trades(self, symbol: str) -> list[Trade]:
        return parse.trades(await self.rest.trade_history(symbol) or [])

    async def last_prices(self) -> list[LastPrice]:
        items = await self.rest.all_tickers() or []
        return [last for item in items if (last := parse.last_price(item)) is not None]

    async def klines(
        self, symbol: str, minutes: int, start_ms: int, end_ms: int
    ) -> list[Kline] | None:
        try:
            rows = await self.rest.klines(symbol, minutes, start_ms, end_ms)
        except KucoinError as exc:
            if exc.code in KLINES_NOT_OFFERED:
                return None
            raise
        return parse.klines(rows or [])


def _level2_handler(symbol: str, book: BookChanges) -> Handler:
    # The hot path: one closure call (the parse inlined in it), one call of the book's
    # change; a change that cannot be read is a change lost, so the book is told to fetch
    # itself again rather than left wrong.
    def refused(problem: str) -> None:
        log.warning("%s level2 message refused: %s", symbol, problem)
        book.lost(f"level2 message refused: {problem}")

    return parse.level2_handler(symbol, book.change, refused)


def _handler(symbol: str, what: str, deliver: Handler) -> Handler:
    def on_frame(frame: dict[str, Any]) -> None:
        try:
            deliver(frame)
        except (parse.BadMarketData, KeyError, TypeError) as exc:
            log.warning("%s %s frame skipped (%s): %s", symbol, what, exc, snippet(repr(frame)))

    return on_frame


def _instrument(symbol: str, sink: MarketSink, frame: dict[str, Any]) -> None:
    value = parse.instrument(symbol, str(frame.get("subject", "")), frame.get("data"))
    if isinstance(value, MarkIndex):
        sink.on_mark(value)
    elif isinstance(value, FundingRate):
        sink.on_funding(value)


def _day_stats(sink: MarketSink, frame: dict[str, Any]) -> None:
    stats = parse.day_stats_frame(frame.get("data"))
    if stats is not None:
        sink.on_day_stats(stats)
