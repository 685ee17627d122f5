"""One trading session on one venue: contracts, books, tickers, open orders and the streams.

The session owns state the UI reads; handlers only update it and bump version counters, so a
burst of messages costs a few dict writes and the UI repaints on its own frame timer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kcterm.core.account import Account
from kcterm.core.book import LevelTwoBook
from kcterm.core.bus import EventBus
from kcterm.core.candle_loader import load_history
from kcterm.core.candles import CandleSeries
from kcterm.core.contract import Contract
from kcterm.core.escape_hooks import EscapeHooks
from kcterm.core.fault_lock import FaultLock
from kcterm.core.feed_watch import FeedWatch
from kcterm.core.fills import Fills
from kcterm.core.health import Health
from kcterm.core.interlock import FeedFacts
from kcterm.core.journal import EntryKind, Journal, JournalEntry, describe_order_update
from kcterm.core.market import TickerState, TradeTape
from kcterm.core.order_actions import OrderEnds
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.order_history import OrderHistory
from kcterm.core.order_margin import OrderMargin, OrderTerms
from kcterm.core.orders import OpenOrders
from kcterm.core.positions import Positions
from kcterm.core.reconcile import Reconciler
from kcterm.core.session_positions import SessionPositions
from kcterm.core.session_trading import SessionTrading
from kcterm.core.stop_orders import StopOrders
from kcterm.core.watchlist import Watchlist
from kcterm.venue.errors import VenueError
from kcterm.venue.events import OrderEventKind, OrderUpdate, StopOrderUpdate
from kcterm.venue.kucoin.order_events import (
    Unreadable,
    order_detail,
    order_update,
    stop_order_update,
)
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup
from kcterm.venue.kucoin.stream_status import StreamState
from kcterm.venue.kucoin.throttle import Priority

log = logging.getLogger("kcterm.core.session")

ORDERS_TOPIC = "/contractMarket/tradeOrders"
STOPS_TOPIC = "/contractMarket/advancedOrders"
POSITIONS_TOPIC = "/contract/positionAll"
WALLET_TOPIC = "/contractAccount/wallet"
CLOCK_RESYNC_S = 300.0  # the clock is measured again every few minutes (and on 400002)
WATCHLIST_LIVE_MAX = 40  # ticker topics for the watchlist; KuCoin allows ~100 per connection
RESYNC_FIRST_DELAY_S = 0.2  # a failed book snapshot is fetched again after this, doubling
RESYNC_MAX_DELAY_S = 5.0
RESYNC_NOTIFY_EVERY = 10  # a long outage repeats its notice now and then, not every try
STOP_TIMEOUT_S = 3.0  # stop() waits this long for the cancelled tasks
CONTRACTS_POLL_S = 10.0  # mark, funding and 24 h volume for every contract, by REST


@dataclass(frozen=True, slots=True)
class Notice:
    """A line for the user: what happened, in words, with KuCoin's code when there is one."""

    at: float
    level: str  # "info" | "error"
    text: str


class Session(SessionTrading, SessionPositions):
    def __init__(
        self,
        rest: RestClient,
        *,
        venue: str,
        stream_options: dict[str, Any] | None = None,
        reconcile_interval: float | None = None,
        profile_name: str = "",
    ) -> None:
        rest.enable_resilience()  # throttle by pool, retry what is safe (api/retry.py)
        self.rest = rest
        self.venue = venue  # "sim" | "live" | "custom"
        # The profile's slug (Profile.slug): the window keeps its confirmation choices under it.
        self.profile_name = profile_name
        self.contracts: dict[str, Contract] = {}
        self.books: dict[str, LevelTwoBook] = {}
        self.tickers: dict[str, TickerState] = {}
        self.tapes: dict[str, TradeTape] = {}
        self.orders = OpenOrders()
        self.notices: deque[Notice] = deque(maxlen=500)
        self.notices_version = 0
        self.last_market_monotonic = 0.0
        self.feeds: dict[str, FeedWatch] = {}  # symbol -> level2 cadence and staleness
        # The link's health (streams, clock, budget, feed freshness): what the status bar and
        # the stale veils read, instead of the client and the stream groups themselves.
        self.health = Health(rest, self.feeds.get)
        options = stream_options or {}
        self.public = StreamGroup(
            rest.bullet_public,
            private=False,
            name="public",
            on_state=self.health.set_stream_state,
            on_connected=self._on_public_connected,
            **options,
        )
        self.private = StreamGroup(
            rest.bullet_private,
            private=True,
            name="private",
            on_state=self.health.set_stream_state,
            on_connected=self._on_private_connected,
            **options,
        )
        self.health.watch(self.public, self.private)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._resyncing: set[str] = set()
        # The one event bus (core.bus): typed events from the venue, fanned out to the parts
        # and to whoever else subscribes (the journal file, a modify awaiting its echo).
        self.bus = EventBus(on_error=self.report_failure)
        self.bus.subscribe(OrderUpdate, self._on_order_update)
        self.bus.subscribe(StopOrderUpdate, self._on_stop_update)
        self.order_ends = OrderEnds(self.bus)
        # UI-facing state (each with a `version` the frame timer compares)
        self.journal = Journal()
        self.journal.add_listener(self._on_journal_entry)
        self.history = OrderHistory()
        self.watchlist = Watchlist()
        self.candles: dict[tuple[str, int], CandleSeries] = {}
        self.market_seen: dict[str, float] = {}  # symbol -> monotonic time of its last message
        self._candle_loads: dict[tuple[str, int], asyncio.Task[None]] = {}
        self._history_reload_pending = False
        # Exchange-owned state, kept as a cache of the exchange (reconcile.py)
        self.stop_orders = StopOrders()
        self.positions = Positions()
        self.account = Account()
        self.fills = Fills()
        self.order_margin = OrderMargin(
            self.orders.all,
            self.positions.get,
            self.contracts,
            lambda symbol: self.cross_leverage.get(symbol),
        )
        self.account.order_margin = self.order_margin
        self._terms_wanted: set[str] = set()  # order ids whose REST detail is on its way
        self.gateway = OrderGateway(rest, self.journal)
        # A resting order's retries stop once the market drifts from the click (issue 10).
        self.gateway.price_of = lambda symbol: self.market_context(symbol).last
        self.reconciler = Reconciler(
            rest,
            self.journal,
            self.orders,
            self.stop_orders,
            self.positions,
            self.account,
            self.fills,
            **({"interval": reconcile_interval} if reconcile_interval else {}),
        )
        self.reconciler.after_pass = self._after_reconcile_pass
        # An exception that escaped a task locks trading until a reconcile pass (fault_lock).
        self.faults = FaultLock()
        self._escapes = EscapeHooks(self.report_failure)

    @property
    def is_live(self) -> bool:
        return self.venue == "live"

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, symbols: Iterable[str]) -> None:
        """Load contracts, measure the clock, open both streams and watch `symbols`."""
        self._escapes.install(asyncio.get_running_loop())
        await self.rest.sync_clock()
        items = await self.rest.active_contracts()
        for item in items:
            contract = Contract.from_api(item)
            self.contracts[contract.symbol] = contract
        self.watchlist.load_contracts(items)
        self.private.subscribe(ORDERS_TOPIC, self._on_order_frame)
        self.private.subscribe(STOPS_TOPIC, self._on_stop_frame)
        self.private.subscribe(POSITIONS_TOPIC, self._on_position_frame)
        self.private.subscribe(WALLET_TOPIC, self._on_wallet_frame)
        for symbol in symbols:
            await self.watch(symbol)
        live = sorted(self.contracts)[:WATCHLIST_LIVE_MAX]
        if live:
            self.public.subscribe(f"/contractMarket/ticker:{','.join(live)}", self._on_last_trade)
        self._spawn(self.public.run())
        self._spawn(self.private.run())
        self._spawn(self._poll_watchlist())
        self._spawn(self.reconciler.run())
        self._spawn(self.rest.keep_clock_synced(CLOCK_RESYNC_S))
        self.notify("info", f"Connected to {self.venue} at {self.rest.base_url}")
        self.journal.info(f"Connected to {self.venue} at {self.rest.base_url}")

    async def stop(self) -> None:
        self._escapes.uninstall()
        await self.public.close()
        await self.private.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            # Bounded: a task a nested event loop wedged never ends, and closing the window
            # must not hang on it (issue 10 item 1).
            _, stuck = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
            for task in stuck:
                log.error("session task %r did not stop; abandoned", task)
            for task in tasks:
                if task.done() and not task.cancelled():
                    task.exception()  # retrieved: no "never retrieved" noise at exit
        await self.rest.close()

    async def watch(self, symbol: str) -> None:
        if symbol not in self.contracts:
            raise KeyError(f"unknown contract {symbol}")
        if symbol in self.books:
            return
        self.books[symbol] = LevelTwoBook(symbol, tick_size=self.contracts[symbol].tick_size)
        self.feeds[symbol] = FeedWatch()
        self.tickers[symbol] = TickerState(symbol)
        self.tapes[symbol] = TradeTape()
        try:
            self.tickers[symbol].on_rest_ticker(await self.rest.ticker(symbol))
        except VenueError as exc:
            self.notify("error", f"Ticker for {symbol} unavailable: {exc.msg}")
        self.public.subscribe(f"/contractMarket/level2:{symbol}", self._on_level2_frame)
        self.public.subscribe(f"/contractMarket/tickerV2:{symbol}", self._on_ticker_frame)
        self.public.subscribe(f"/contractMarket/execution:{symbol}", self._on_execution_frame)
        # Live mark/funding and 24 h statistics; a venue without them rejects the topic, and
        # the watchlist keeps its REST-polled numbers.
        self.public.subscribe(f"/contract/instrument:{symbol}", self._on_instrument_frame)
        self.public.subscribe(f"/contractMarket/snapshot:{symbol}", self._on_snapshot_frame)
        self._spawn(self._backfill_tape(symbol))
        if self.public.state is StreamState.CONNECTED:
            # Subscribed mid-connection: no on_connected will come, so fetch the snapshot now.
            self._schedule_resync(symbol)

    # -- market data for the panels ---------------------------------------------------------

    async def load_candles(self, symbol: str, minutes: int) -> CandleSeries:
        """Candles of `symbol` at `minutes`, with history loaded; live from the trade feed."""
        key = (symbol, minutes)
        series = self.candles.get(key)
        if series is None:
            series = self.candles[key] = CandleSeries(symbol, minutes)
        task = self._candle_loads.get(key)
        if task is None and series.loading:
            tape = list(self.tapes[symbol].trades) if symbol in self.tapes else []
            task = asyncio.ensure_future(load_history(self.rest, self.journal, series, tape))
            self._candle_loads[key] = task
            task.add_done_callback(lambda _t: self._candle_loads.pop(key, None))
        if task is not None:
            await asyncio.shield(task)
        return series

    def feed_facts(self, symbol: str) -> FeedFacts:
        """What the stale-feed interlock (core.interlock) needs to know about `symbol`."""
        seen = self.market_seen.get(symbol)
        book = self.books.get(symbol)
        feed = self.feeds.get(symbol)
        return FeedFacts(
            public_state=self.public.state.value,
            private_state=self.private.state.value,
            book_live=bool(book and book.is_live),
            market_age=None if seen is None else time.monotonic() - seen,
            usual_stale_after=feed.stale_after() if feed is not None else None,
            locked_reason=self.faults.reason,
        )

    # -- stream handlers (no I/O here: update state, bump versions) ------------------------

    def _on_level2_frame(self, frame: dict[str, Any]) -> None:
        symbol = frame["topic"].rsplit(":", 1)[1]
        book = self.books.get(symbol)
        if book is None:
            return
        data = frame.get("data")
        now = self.last_market_monotonic = self.market_seen[symbol] = time.monotonic()
        self.feeds[symbol].on_message(now)
        if not isinstance(data, dict):
            data = {}
        # The book checks the sequence and the change itself (a bool or "1_00" is refused there).
        if book.on_increment(data.get("sequence"), data.get("change")) or not book.is_live:
            # A syncing book always has a snapshot on the way: a resync that ended without
            # one (or never started) is started again here, not after a 50,000-message buffer.
            self._schedule_resync(symbol)

    def _on_ticker_frame(self, frame: dict[str, Any]) -> None:
        symbol = frame["data"].get("symbol", "")
        ticker = self.tickers.get(symbol)
        if ticker is not None:
            ticker.on_ticker_v2(frame["data"])
            self.last_market_monotonic = self.market_seen[symbol] = time.monotonic()

    def _on_execution_frame(self, frame: dict[str, Any]) -> None:
        symbol = frame["data"].get("symbol", "")
        tape = self.tapes.get(symbol)
        if tape is None:
            return
        trade = tape.on_execution(frame["data"])
        self.tickers[symbol].on_trade(trade)
        self.last_market_monotonic = self.market_seen[symbol] = time.monotonic()
        for (series_symbol, _), series in self.candles.items():
            if series_symbol == symbol:
                series.on_trade(trade.price, trade.size, trade.ts_ns)

    def _on_last_trade(self, frame: dict[str, Any]) -> None:
        self.watchlist.on_ticker(frame["data"])

    def _on_instrument_frame(self, frame: dict[str, Any]) -> None:
        symbol = frame["topic"].rsplit(":", 1)[1]
        self.watchlist.on_instrument(symbol, str(frame.get("subject", "")), frame["data"])

    def _on_snapshot_frame(self, frame: dict[str, Any]) -> None:
        self.watchlist.on_snapshot_24h(frame["data"])

    def _on_order_frame(self, frame: dict[str, Any]) -> None:
        data = frame.get("data")
        try:
            update = order_update(data if isinstance(data, dict) else {})
        except Unreadable as exc:
            log.warning("order event skipped, unreadable (%s): %r", exc, data)
            return
        self._last_order_data = data  # the journal file still reads the raw event (below)
        self.bus.publish(update)

    def _on_order_update(self, update: OrderUpdate) -> None:
        known = self.orders.get(update.order_id)
        self.reconciler.note_order_event(update.order_id)
        resting = self.orders.apply_update(update)
        self.on_entry_event(update)  # an entry's end decides its TP/SL's fate (bracket_guard)
        self.order_margin.note_update(update)
        if resting is not None and self.order_margin.of(resting) is None:
            self._fetch_order_terms(resting.order_id)  # its leverage is not in the event
        kind = update.kind
        # The raw event rides along so the journal store records fills as they happen.
        data = getattr(self, "_last_order_data", None)
        self.journal.event(describe_order_update(update), update.symbol, data=data)
        if update.done:
            self.history.on_done_update(update, known)
            self._schedule_history_reload()
        if kind is OrderEventKind.MATCH:
            self.fills.on_match(update)
            self.notify(
                "info",
                f"Fill: {update.side.value} {update.match_size} {update.symbol} "
                f"@ {update.match_price} ({update.liquidity})",
            )
        elif kind in (OrderEventKind.OPEN, OrderEventKind.CANCELED, OrderEventKind.FILLED):
            self.notify("info", f"Order {update.order_id} {kind.value}")

    def _on_stop_frame(self, frame: dict[str, Any]) -> None:
        data = frame.get("data")
        try:
            update = stop_order_update(data if isinstance(data, dict) else {})
        except Unreadable as exc:
            log.warning("stop-order event skipped, unreadable (%s): %r", exc, data)
            return
        self.bus.publish(update)

    def _on_stop_update(self, update: StopOrderUpdate) -> None:
        self.stop_orders.apply_update(update)
        self.note_stop_event(update)

    def _on_position_frame(self, frame: dict[str, Any]) -> None:
        if frame.get("subject") == "position.change":
            self.positions.apply_event(frame["data"])

    def _on_wallet_frame(self, frame: dict[str, Any]) -> None:
        self.account.apply_wallet(frame["data"])

    def _on_journal_entry(self, entry: JournalEntry, data: Mapping[str, Any] | None) -> None:
        # What the reconciler had to correct is news for the trader, not only for the log:
        # it goes to the status bar as well as the journal panel.
        if data and "discrepancy" in data:
            self.notify("error", f"Reconciled with the exchange: {data['discrepancy']}")

    def _fetch_order_terms(self, order_id: str) -> None:
        if order_id in self._terms_wanted or not self.order_margin.needs_terms(order_id):
            return
        self._terms_wanted.add(order_id)

        async def fetch() -> None:
            try:
                detail = order_detail(await self.rest.order(order_id))
            except Exception as exc:  # a guess stays out of the figures; reconcile fixes it
                log.info("order %s detail unavailable: %s", order_id, exc)
                return
            finally:
                self._terms_wanted.discard(order_id)
            if order_id in self.orders:
                self.order_margin.note_terms(order_id, OrderTerms.from_detail(detail))

        self._spawn(fetch())

    # -- connection events -----------------------------------------------------------------

    async def _on_public_connected(self, topics: list[str]) -> None:
        # Every (re)connect starts its books from a fresh snapshot (spec/REFERENCE.md section 9);
        # with topics spread over connections, only the books of the one that reconnected.
        for symbol, book in self.books.items():
            if f"/contractMarket/level2:{symbol}" in topics:
                book.reset()
                self._schedule_resync(symbol)

    async def _on_private_connected(self, topics: list[str]) -> None:
        # Whatever happened while the feed was away is fetched and merged (reconcile.py).
        self.reconciler.request("reconnect" if self.private.connections > 1 else "connect")
        self._spawn(self._reload_history())

    async def _reload_history(self) -> None:
        try:
            done = await self.rest.recent_done_orders(priority=Priority.BACKGROUND)
            self.history.load_recent(done)
        except VenueError as exc:
            self.journal.error("Loading order history failed", exc)

    def _schedule_history_reload(self) -> None:
        """One REST reload after a burst of done events: it adds the average fill prices."""
        if self._history_reload_pending:
            return
        self._history_reload_pending = True

        async def reload() -> None:
            await asyncio.sleep(0.5)
            self._history_reload_pending = False
            await self._reload_history()

        self._spawn(reload())

    async def _poll_watchlist(self) -> None:
        """Prices first, then mark, funding and 24 h volume of every contract, every few s."""
        try:
            for item in await self.rest.all_tickers() or []:
                self.watchlist.on_ticker(item)
        except VenueError as exc:
            log.info("allTickers unavailable: %s", exc)
        while True:
            await asyncio.sleep(CONTRACTS_POLL_S)
            try:
                contracts = await self.rest.request(
                    "GET", "/api/v1/contracts/active", priority=Priority.BACKGROUND
                )
                self.watchlist.load_contracts(contracts)
            except VenueError as exc:
                log.info("contract poll failed: %s", exc)

    async def _backfill_tape(self, symbol: str) -> None:
        try:
            items = await self.rest.trade_history(symbol)
        except VenueError as exc:
            log.info("trade history for %s unavailable: %s", symbol, exc)
            return
        self.tapes[symbol].backfill(items or [])

    def _schedule_resync(self, symbol: str) -> None:
        if symbol not in self._resyncing:
            self._resyncing.add(symbol)
            self._spawn(self._resync(symbol))

    async def _resync(self, symbol: str) -> None:
        """Fetch snapshots until the book is live again. Every failure (a REST error, a refused
        snapshot, anything unexpected) is retried with backoff and shown; the task only ends
        with a live book (or when cancelled), so the book is never left to a dead task."""
        delay = RESYNC_FIRST_DELAY_S
        failures = 0
        try:
            while True:
                book = self.books.get(symbol)
                if book is None:
                    return
                problem = ""
                try:
                    snapshot = await self.rest.level2_snapshot(symbol)
                except VenueError as exc:
                    problem = f"snapshot request failed: {exc.msg or exc}"
                except Exception as exc:  # a dropped connection, a body that is not JSON ...
                    problem = f"snapshot request failed: {type(exc).__name__}: {exc}"
                else:
                    if not book.apply_snapshot(snapshot):
                        if failures:
                            self.notify("info", f"Order book {symbol} is live again")
                        return
                    if not book.last_problem:  # a gap in the buffer: fetch again, soon
                        await asyncio.sleep(0.05)  # let the increments after the gap arrive
                        continue
                    problem = book.last_problem
                failures += 1
                log.warning("%s resync failed (%d): %s", symbol, failures, problem)
                if failures == 1 or failures % RESYNC_NOTIFY_EVERY == 0:
                    self.notify(
                        "error",
                        f"Order book {symbol}: {problem}; trading paused, retrying "
                        f"(attempt {failures + 1} in {delay:.1f} s)",
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESYNC_MAX_DELAY_S)
        finally:
            self._resyncing.discard(symbol)

    # -- helpers ---------------------------------------------------------------------------

    def notify(self, level: str, text: str) -> None:
        (log.warning if level == "error" else log.info)("%s", text)
        self.notices.append(Notice(time.time(), level, text))
        self.notices_version += 1

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            name = getattr(task.get_coro(), "__qualname__", task.get_name())
            self.report_failure(f"session task {name}", exc)

    # -- failures that escaped (escape_hooks, fault_lock) -----------------------------------

    def report_failure(self, where: str, exc: BaseException) -> None:
        """An exception escaped `where`: log it with its traceback, say so, and lock trading
        until a reconcile pass that starts now has brought the exchange's truth back."""
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        log.error("unexpected failure in %s: %s", where, text, exc_info=exc)
        first = not self.faults.locked
        token = self.faults.lock(f"{text} in {where}")
        if first or self.faults.failures % RESYNC_NOTIFY_EVERY == 1:
            self.notify(
                "error",
                f"Unexpected error in {where}: {text}. Trading locked until reconciled.",
            )
        self.journal.add(
            EntryKind.ERROR, f"Unexpected error in {where}: {text}; trading locked until reconciled"
        )
        self.reconciler.request(token)

    def _after_reconcile_pass(
        self,
        reason: str,
        active: list[dict[str, Any]],
        stops: list[dict[str, Any]],
        positions: list[dict[str, Any]],
    ) -> None:
        self.after_reconcile(reason, active, stops, positions)  # orphaned TP/SL
        if self.faults.reconciled(reason):
            self.notify("info", "Reconciled with the exchange: trading unlocked")
            self.journal.info("Reconciled after the failure; trading unlocked")
        elif self.faults.locked:
            # A pass that began before the latest failure does not count: ask for another.
            self.reconciler.request(self.faults.token)

    async def reconcile_and_unlock(self) -> bool:
        """The trader's unlock: a reconcile pass now; trading unlocks if it succeeds."""
        if not self.faults.locked:
            return True
        try:
            await self.reconciler.run_once(self.faults.token)
        except VenueError as exc:
            self.notify("error", f"Reconcile failed, trading stays locked: {exc.msg or exc}")
            return False
        return not self.faults.locked
