"""The session's market data for the panels: books, touches, tapes, candles and the watchlist
of one venue, and the subscriptions behind them, held by leases.

Whoever shows a symbol holds a lease on it (`lease(symbol, holder)`). The first lease of a
symbol subscribes its feeds and creates its book, ticker, tape and feed watch; the last
release unsubscribes them on the wire and drops that state, and its candles, after a short
grace period, so flicking between symbols does not churn subscriptions. A symbol nobody
leases costs nothing: no topic, no book, no REST call.

Everything arrives as typed values (venue.events) through the venue's MarketSource; no name
of the venue's wire format is read here. Handlers do no I/O: they update state and bump
version counters; the network work (snapshots, history) runs in tasks the session supervises.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from kcterm.core.book import LevelTwoBook
from kcterm.core.candle_loader import load_history
from kcterm.core.candles import CandleSeries
from kcterm.core.contract import Contract
from kcterm.core.feed_watch import FeedWatch
from kcterm.core.journal import Journal
from kcterm.core.market import TickerState, TradeTape
from kcterm.core.watchlist import Watchlist
from kcterm.venue.errors import VenueError
from kcterm.venue.events import (
    DayStats,
    FundingRate,
    LastPrice,
    MarkIndex,
    TopOfBook,
    Trade,
)
from kcterm.venue.market import MarketSource

log = logging.getLogger("kcterm.core.market_data")

LEASE_GRACE_S = 5.0  # a released symbol keeps its feeds this long (a quick flick back is free)
WATCHLIST_LIVE_MAX = 40  # last-price feeds for the watchlist; KuCoin allows ~100 per connection
# Mark, funding and 24 h volume of every contract, by REST. A leased symbol has them live (its
# instrument and snapshot topics) and the watchlist's last prices stream, so what this poll
# refreshes moves slowly: 30 s keeps the idle REST budget small (issue 13).
CONTRACTS_POLL_S = 30.0
RESYNC_FIRST_DELAY_S = 0.2  # a failed book snapshot is fetched again after this, doubling
RESYNC_MAX_DELAY_S = 5.0
RESYNC_NOTIFY_EVERY = 10  # a long outage repeats its notice now and then, not every try
SESSION_HOLDER = "session"  # the holder of the symbols the session was started with

Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]
Notify = Callable[[str, str], None]


class MarketLease:
    """One holder's claim on a symbol's market data. Release it when done (or use it as a
    context manager); releasing twice is harmless."""

    __slots__ = ("_market", "holder", "symbol")

    def __init__(self, market: MarketData, symbol: str, holder: str) -> None:
        self.symbol = symbol
        self.holder = holder
        self._market: MarketData | None = market

    def __repr__(self) -> str:
        state = "held" if self.held else "released"
        return f"MarketLease({self.symbol!r}, {self.holder!r}, {state})"

    @property
    def held(self) -> bool:
        return self._market is not None

    def release(self) -> None:
        market, self._market = self._market, None
        if market is not None:
            market._release(self)

    def __enter__(self) -> MarketLease:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


class MarketData:
    def __init__(
        self,
        source: MarketSource,
        contracts: dict[str, Contract],
        journal: Journal,
        *,
        notify: Notify,
        spawn: Spawn,
        is_connected: Callable[[], bool],
        grace_s: float = LEASE_GRACE_S,
    ) -> None:
        self.source = source
        self.contracts = contracts  # shared with the session: filled by load_contracts()
        self.journal = journal
        self._notify = notify
        self._spawn = spawn
        self._is_connected = is_connected
        self.grace_s = grace_s  # tests set 0: the last release unsubscribes at once
        # Per leased symbol (each with a `version` the frame timer compares)
        self.books: dict[str, LevelTwoBook] = {}
        self.tickers: dict[str, TickerState] = {}
        self.tapes: dict[str, TradeTape] = {}
        self.feeds: dict[str, FeedWatch] = {}  # book feed cadence and staleness (the book)
        self.candles: dict[tuple[str, int], CandleSeries] = {}
        # symbol -> monotonic time of its last message but its book's (the book, its own feed
        # watch, keeps its own: seen_at() is both)
        self.market_seen: dict[str, float] = {}
        self._last_dropped = 0.0  # the last message of symbols dropped since
        self.watchlist = Watchlist()  # every contract; its batch feed is not leased
        self._leases: dict[str, list[MarketLease]] = {}
        self._expiries: dict[str, asyncio.TimerHandle] = {}
        self._session_leases: dict[str, MarketLease] = {}
        self._opening: dict[str, asyncio.Task[Any]] = {}  # symbol -> its first REST ticker
        self._resyncs: dict[str, asyncio.Task[Any]] = {}
        self._candle_loads: dict[tuple[str, int], asyncio.Task[None]] = {}
        self.subscribes = 0  # symbols subscribed / unsubscribed so far (tests, figures)
        self.unsubscribes = 0

    # -- start -----------------------------------------------------------------------------

    async def load_contracts(self) -> None:
        specs, stats = await self.source.contracts()
        for spec in specs:
            self.contracts[spec.symbol] = Contract.from_spec(spec)
        self.watchlist.load_stats(stats)

    def start(self) -> None:
        """The watchlist's feeds: live last prices of the first contracts, and a REST poll."""
        live = sorted(self.contracts)[:WATCHLIST_LIVE_MAX]
        self.source.subscribe_last_prices(live, self)
        self._spawn(self._poll_watchlist())

    def close(self) -> None:
        """The session stops: no grace period ends after this (the streams are closing)."""
        for expiry in self._expiries.values():
            expiry.cancel()
        self._expiries.clear()
        # History loads are not session tasks (a panel awaits each, shielded): stopped here, so
        # none is left pending when the loop ends, nor asks the closed REST client again.
        for load in self._candle_loads.values():
            load.cancel()
        self._candle_loads.clear()

    # -- leases ----------------------------------------------------------------------------

    def lease(self, symbol: str, holder: str) -> MarketLease:
        """Hold `symbol`'s market data for `holder` until the lease is released."""
        if symbol not in self.contracts:
            raise KeyError(f"unknown contract {symbol}")
        lease = MarketLease(self, symbol, holder)
        held = self._leases.setdefault(symbol, [])
        held.append(lease)
        expiry = self._expiries.pop(symbol, None)
        if expiry is not None:
            expiry.cancel()  # back within the grace period: the feeds never stopped
        if symbol not in self.books:
            self._open(symbol)
        return lease

    async def watch(self, symbol: str) -> None:
        """Hold `symbol` for the session itself (the symbols it starts with) and wait for its
        first ticker. A second call for the same symbol adds nothing."""
        if symbol not in self._session_leases:
            self._session_leases[symbol] = self.lease(symbol, SESSION_HOLDER)
        opening = self._opening.get(symbol)
        if opening is not None:
            await asyncio.shield(opening)

    def unwatch(self, symbol: str) -> None:
        lease = self._session_leases.pop(symbol, None)
        if lease is not None:
            lease.release()

    def holders(self, symbol: str) -> list[str]:
        return [lease.holder for lease in self._leases.get(symbol, ())]

    def leased(self) -> list[str]:
        """Symbols held now, by a lease or by the grace period of the last one."""
        return list(self.books)

    def topics(self, symbol: str) -> list[str]:
        """The venue subscriptions live for `symbol` (none once it is dropped)."""
        return self.source.symbol_topics(symbol)

    def _release(self, lease: MarketLease) -> None:
        held = self._leases.get(lease.symbol)
        if held is None or lease not in held:
            return
        held.remove(lease)
        if held:
            return
        del self._leases[lease.symbol]
        if self.grace_s <= 0:
            self._close(lease.symbol)
        else:
            loop = asyncio.get_event_loop()
            self._expiries[lease.symbol] = loop.call_later(self.grace_s, self._expire, lease.symbol)

    def _expire(self, symbol: str) -> None:
        self._expiries.pop(symbol, None)
        if not self._leases.get(symbol):
            self._close(symbol)

    def _open(self, symbol: str) -> None:
        def wants_snapshot() -> None:
            if self.books.get(symbol) is book:  # not a symbol dropped (or leased again) since
                self._schedule_resync(symbol)

        book = LevelTwoBook(
            symbol,
            tick_size=self.contracts[symbol].tick_size,
            seen=self.market_seen,
            wants_snapshot=wants_snapshot,
        )
        self.books[symbol] = self.feeds[symbol] = book
        self.tickers[symbol] = TickerState(symbol)
        self.tapes[symbol] = TradeTape()
        # The book takes its changes from the venue itself (venue.market.BookChanges).
        self.source.subscribe_symbol(symbol, self, book)
        self.subscribes += 1
        self._opening[symbol] = self._spawn(self._first_ticker(symbol))
        self._spawn(self._backfill_tape(symbol))
        if self._is_connected():
            # Subscribed mid-connection: no (re)connect will come, so fetch the snapshot now.
            self._schedule_resync(symbol)

    def _close(self, symbol: str) -> None:
        """Unsubscribe `symbol` on the wire and drop everything kept for it."""
        if symbol not in self.books:
            return
        self.source.unsubscribe_symbol(symbol)
        self.unsubscribes += 1
        self.tickers.pop(symbol, None)
        self.tapes.pop(symbol, None)
        self.feeds.pop(symbol, None)
        book = self.books.pop(symbol)
        self._last_dropped = max(
            self._last_dropped, self.market_seen.pop(symbol, 0.0), book.last_monotonic or 0.0
        )
        for key in [key for key in self.candles if key[0] == symbol]:
            del self.candles[key]
            load = self._candle_loads.pop(key, None)
            if load is not None:
                load.cancel()
        for tasks in (self._resyncs, self._opening):
            task = tasks.pop(symbol, None)
            if task is not None:
                task.cancel()

    @property
    def last_market_monotonic(self) -> float:
        """When any market message last arrived (monotonic; 0: none yet)."""
        books = (book.last_monotonic or 0.0 for book in self.books.values())
        return max(self._last_dropped, max(self.market_seen.values(), default=0.0), *books)

    def seen_at(self, symbol: str) -> float | None:
        """When a message of `symbol`'s feeds last arrived (monotonic; None: none yet)."""
        book = self.books.get(symbol)
        other = self.market_seen.get(symbol)
        own = book.last_monotonic if book is not None else None
        if own is None or other is None:
            return other if own is None else own
        return max(own, other)

    # -- what the panels call --------------------------------------------------------------

    async def load_candles(self, symbol: str, minutes: int) -> CandleSeries:
        """Candles of `symbol` at `minutes`, with history loaded; live from the trade feed.
        The caller holds a lease on `symbol` (the series is dropped with its last lease)."""
        key = (symbol, minutes)
        series = self.candles.get(key)
        if series is None:
            series = self.candles[key] = CandleSeries(symbol, minutes)
        task = self._candle_loads.get(key)
        if task is None and series.loading:
            tape = list(self.tapes[symbol].trades) if symbol in self.tapes else []
            task = asyncio.ensure_future(load_history(self.source, self.journal, series, tape))
            self._candle_loads[key] = task
            task.add_done_callback(lambda done: self._candle_load_done(key, done))
        if task is not None:
            await asyncio.shield(task)
        return series

    def _candle_load_done(self, key: tuple[str, int], task: asyncio.Task[None]) -> None:
        if self._candle_loads.get(key) is task:
            del self._candle_loads[key]

    # -- the venue's feeds (MarketSink; each book takes its own changes): no I/O here, update
    # state and bump versions ---------------------------------------------------------------

    def on_top(self, top: TopOfBook) -> None:
        ticker = self.tickers.get(top.symbol)
        if ticker is not None:
            ticker.on_top(top)
            self.market_seen[top.symbol] = time.monotonic()

    def on_trade(self, trade: Trade) -> None:
        symbol = trade.symbol
        tape = self.tapes.get(symbol)
        if tape is None:
            return
        tape.on_trade(trade)
        self.tickers[symbol].on_trade(trade)
        self.market_seen[symbol] = time.monotonic()
        for (series_symbol, _), series in self.candles.items():
            if series_symbol == symbol:
                series.on_trade(trade.price, trade.size, trade.ts_ns)

    def on_mark(self, mark: MarkIndex) -> None:
        self.watchlist.on_mark(mark)

    def on_funding(self, rate: FundingRate) -> None:
        self.watchlist.on_funding(rate)

    def on_day_stats(self, stats: DayStats) -> None:
        self.watchlist.on_day_stats(stats)

    def on_last_price(self, last: LastPrice) -> None:
        self.watchlist.on_last_price(last)

    def on_connected(self, subscriptions: Iterable[str]) -> None:
        """A link of the public feed (re)connected with these subscriptions: every book it
        carries starts again from a fresh snapshot (spec/REFERENCE.md section 9)."""
        for symbol in self.source.book_symbols(subscriptions):
            book = self.books.get(symbol)
            if book is not None:
                book.reset()
                self._schedule_resync(symbol)

    # -- REST work ---------------------------------------------------------------------------

    async def _first_ticker(self, symbol: str) -> None:
        try:
            ticker = await self.source.ticker(symbol)
        except VenueError as exc:
            self._notify("error", f"Ticker for {symbol} unavailable: {exc.msg}")
            return
        except ValueError as exc:  # the adapter could not read the reply
            self._notify("error", f"Ticker for {symbol} unreadable: {exc}")
            return
        finally:
            if self._opening.get(symbol) is asyncio.current_task():
                del self._opening[symbol]
        state = self.tickers.get(symbol)
        if state is not None:
            state.on_snapshot(ticker)

    async def _backfill_tape(self, symbol: str) -> None:
        try:
            trades = await self.source.trades(symbol)
        except VenueError as exc:
            log.info("trade history for %s unavailable: %s", symbol, exc)
            return
        tape = self.tapes.get(symbol)
        if tape is not None:
            tape.backfill(trades)

    async def _poll_watchlist(self) -> None:
        """Prices first, then mark, funding and 24 h volume of every contract, every few s."""
        try:
            for last in await self.source.last_prices():
                self.watchlist.on_last_price(last)
        except VenueError as exc:
            log.info("last prices unavailable: %s", exc)
        while True:
            await asyncio.sleep(CONTRACTS_POLL_S)
            try:
                _, stats = await self.source.contracts(background=True)
                self.watchlist.load_stats(stats)
            except VenueError as exc:
                log.info("contract poll failed: %s", exc)

    def _schedule_resync(self, symbol: str) -> None:
        if symbol not in self._resyncs:
            self._resyncs[symbol] = self._spawn(self._resync(symbol))

    async def _resync(self, symbol: str) -> None:
        """Fetch snapshots until the book is live again. Every failure (a REST error, a refused
        snapshot, anything unexpected) is retried with backoff and shown; the task only ends
        with a live book (or when cancelled: the symbol was dropped), so the book is never left
        to a dead task."""
        delay = RESYNC_FIRST_DELAY_S
        failures = 0
        try:
            while True:
                book = self.books.get(symbol)
                if book is None:
                    return
                problem = ""
                try:
                    snapshot = await self.source.book_snapshot(symbol)
                except VenueError as exc:
                    problem = f"snapshot request failed: {exc.msg or exc}"
                except ValueError as exc:  # the adapter refused the reply (a level, a sequence)
                    book.refuse_snapshot(str(exc))
                    problem = book.last_problem
                except Exception as exc:  # a dropped connection, a body that is not JSON ...
                    problem = f"snapshot request failed: {type(exc).__name__}: {exc}"
                else:
                    if not book.apply_snapshot(snapshot):
                        # Data too: the panels need not wait for the stream's next change.
                        if self.books.get(symbol) is book:
                            self.feeds[symbol].on_snapshot(time.monotonic())
                        if failures:
                            self._notify("info", f"Order book {symbol} is live again")
                        return
                    if not book.last_problem:  # a gap in the buffer: fetch again, soon
                        await asyncio.sleep(0.05)  # let the deltas after the gap arrive
                        continue
                    problem = book.last_problem
                if self.books.get(symbol) is not book:
                    return  # dropped (or dropped and leased again) while the request was out
                failures += 1
                log.warning("%s resync failed (%d): %s", symbol, failures, problem)
                if failures == 1 or failures % RESYNC_NOTIFY_EVERY == 0:
                    self._notify(
                        "error",
                        f"Order book {symbol}: {problem}; trading paused, retrying "
                        f"(attempt {failures + 1} in {delay:.1f} s)",
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESYNC_MAX_DELAY_S)
        finally:
            if self._resyncs.get(symbol) is asyncio.current_task():
                del self._resyncs[symbol]

    @property
    def resyncing(self) -> set[str]:
        """Symbols whose book is being fetched again now."""
        return set(self._resyncs)


class SymbolLease:
    """The lease of whoever shows one symbol at a time (a panel, the window): `follow` takes
    the new symbol's lease before it lets the old one go, so a symbol shown by another holder
    too never blinks out, and coming back within the grace period costs nothing."""

    def __init__(self, market: MarketData, holder: str, symbol: str | None = None) -> None:
        self._market = market
        self.holder = holder
        self.lease: MarketLease | None = None
        if symbol is not None:
            self.follow(symbol)

    @property
    def symbol(self) -> str | None:
        return self.lease.symbol if self.lease is not None else None

    def follow(self, symbol: str) -> None:
        if self.lease is not None and self.lease.symbol == symbol and self.lease.held:
            return
        fresh = self._market.lease(symbol, self.holder)
        old, self.lease = self.lease, fresh
        if old is not None:
            old.release()

    def release(self) -> None:
        old, self.lease = self.lease, None
        if old is not None:
            old.release()
