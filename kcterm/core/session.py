"""One trading session on one venue: contracts, books, tickers, open orders and the streams.

The session owns state the UI reads; handlers only update it and bump version counters, so a
burst of messages costs a few dict writes and the UI repaints on its own frame timer.

This is core's one wiring point with a venue adapter: it builds the KuCoin adapter
(venue.kucoin.venue KucoinVenue) on the REST client it is given and hands its parts, typed by
the Protocols of venue.base, to the other parts of core. No other core module imports
kcterm.venue.kucoin (tests/unit/test_import_graph.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kcterm.core.account import Account
from kcterm.core.book import LevelTwoBook
from kcterm.core.bus import EventBus
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
from kcterm.core.market_data import LEASE_GRACE_S, RESYNC_NOTIFY_EVERY, MarketData
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
from kcterm.venue.base import Venue
from kcterm.venue.errors import VenueError
from kcterm.venue.events import (
    BalanceUpdate,
    OpenOrder,
    OrderEventKind,
    OrderUpdate,
    PositionUpdate,
    StopOrder,
    StopOrderUpdate,
)
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup
from kcterm.venue.kucoin.venue import KucoinVenue
from kcterm.venue.stream_status import StreamState

log = logging.getLogger("kcterm.core.session")

STOP_TIMEOUT_S = 3.0  # stop() waits this long for the cancelled tasks


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
        lease_grace_s: float = LEASE_GRACE_S,
    ) -> None:
        rest.enable_resilience()  # throttle by pool, retry what is safe (venue/kucoin/retry.py)
        self.rest = rest
        self.venue = venue  # "sim" | "live" | "custom"
        # The profile's slug (Profile.slug): the window keeps its confirmation choices under it.
        self.profile_name = profile_name
        self.contracts: dict[str, Contract] = {}
        self.orders = OpenOrders()
        self.notices: deque[Notice] = deque(maxlen=500)
        self.notices_version = 0
        # The link's health (streams, clock, budget, feed freshness): what the status bar and
        # the stale veils read, instead of the client and the stream groups themselves.
        self.health = Health(rest, lambda symbol: self.market_data.feeds.get(symbol))
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
        # The venue's parts on this client and these streams; core below sees only Protocols.
        self.adapter: Venue = KucoinVenue(rest, self.public, self.private)
        self._tasks: set[asyncio.Task[Any]] = set()
        # The one event bus (core.bus): typed events from the venue, fanned out to the parts
        # and to whoever else subscribes (the journal file, a modify awaiting its echo).
        self.bus = EventBus(on_error=self.report_failure)
        self.bus.subscribe(OrderUpdate, self._on_order_update)
        self.bus.subscribe(StopOrderUpdate, self._on_stop_update)
        self.bus.subscribe(PositionUpdate, self._on_position_update)
        self.bus.subscribe(BalanceUpdate, self._on_balance_update)
        self.order_ends = OrderEnds(self.bus)
        # UI-facing state (each with a `version` the frame timer compares)
        self.journal = Journal()
        self.journal.add_listener(self._on_journal_entry)
        self.history = OrderHistory()
        # Books, tickers, tapes, candles and the watchlist, held by leases (market_data.py).
        self.market_data = MarketData(
            self.adapter.market,
            self.contracts,
            self.journal,
            notify=self.notify,
            spawn=self._supervised,
            is_connected=lambda: self.adapter.public.state is StreamState.CONNECTED,
            grace_s=lease_grace_s,
        )
        # Read-only aliases of the market data's tables, for the order path and older callers
        # (the tables are never replaced, only changed, so an alias stays the same object).
        self.books: dict[str, LevelTwoBook] = self.market_data.books
        self.tickers: dict[str, TickerState] = self.market_data.tickers
        self.tapes: dict[str, TradeTape] = self.market_data.tapes
        self.feeds: dict[str, FeedWatch] = self.market_data.feeds
        self.candles: dict[tuple[str, int], CandleSeries] = self.market_data.candles
        self.market_seen: dict[str, float] = self.market_data.market_seen
        self.watchlist = self.market_data.watchlist
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
        self.gateway = OrderGateway(self.adapter.orders, self.journal)
        # A resting order's retries stop once the market drifts from the click (issue 10).
        self.gateway.price_of = lambda symbol: self.market_context(symbol).last
        self.reconciler = Reconciler(
            self.adapter.account,
            self.journal,
            self.orders,
            self.stop_orders,
            self.positions,
            self.account,
            self.fills,
            history=self.history,
            **({"interval": reconcile_interval} if reconcile_interval else {}),
        )
        self.reconciler.after_pass = self._after_reconcile_pass
        # An exception that escaped a task locks trading until a reconcile pass (fault_lock).
        self.faults = FaultLock()
        self._escapes = EscapeHooks(self.report_failure)

    @property
    def is_live(self) -> bool:
        return self.venue == "live"

    @property
    def last_market_monotonic(self) -> float:
        """When any market message last arrived (monotonic; 0: none yet)."""
        return self.market_data.last_market_monotonic

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, symbols: Iterable[str]) -> None:
        """Load contracts, measure the clock, open both streams and watch `symbols`."""
        self._escapes.install(asyncio.get_running_loop())
        await self.adapter.connect()
        await self.market_data.load_contracts()
        self.adapter.private_feed.follow(self.bus.publish)  # typed events on the bus
        for symbol in symbols:
            await self.watch(symbol)
        self.market_data.start()
        self.adapter.start(self._spawn)  # the streams and the clock keeping
        self._spawn(self.reconciler.run())
        self.notify("info", f"Connected to {self.venue} at {self.rest.base_url}")
        self.journal.info(f"Connected to {self.venue} at {self.rest.base_url}")

    async def stop(self) -> None:
        self._escapes.uninstall()
        self.market_data.close()
        await self.adapter.close_streams()
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
        await self.adapter.close()

    async def watch(self, symbol: str) -> None:
        """Hold `symbol`'s market data for the whole session (market_data.MarketData.watch)."""
        await self.market_data.watch(symbol)

    # -- market data for the panels ---------------------------------------------------------

    async def load_candles(self, symbol: str, minutes: int) -> CandleSeries:
        return await self.market_data.load_candles(symbol, minutes)

    def feed_facts(self, symbol: str) -> FeedFacts:
        """What the stale-feed interlock (core.interlock) needs to know about `symbol`."""
        seen = self.market_seen.get(symbol)
        book = self.books.get(symbol)
        feed = self.feeds.get(symbol)
        return FeedFacts(
            public_state=self.adapter.public.state.value,
            private_state=self.adapter.private.state.value,
            book_live=bool(book and book.is_live),
            market_age=None if seen is None else time.monotonic() - seen,
            usual_stale_after=feed.stale_after() if feed is not None else None,
            locked_reason=self.faults.reason,
        )

    # -- stream handlers (no I/O here: update state, bump versions) ------------------------

    def _on_order_update(self, update: OrderUpdate) -> None:
        known = self.orders.get(update.order_id)
        self.reconciler.note_order_event(update.order_id)
        resting = self.orders.apply_update(update)
        self.on_entry_event(update)  # an entry's end decides its TP/SL's fate (bracket_guard)
        self.order_margin.note_update(update)
        if resting is not None and self.order_margin.of(resting) is None:
            self._fetch_order_terms(resting.order_id)  # its leverage is not in the event
        kind = update.kind
        self.journal.event(describe_order_update(update), update.symbol)
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

    def _on_stop_update(self, update: StopOrderUpdate) -> None:
        self.stop_orders.apply_update(update)
        self.note_stop_event(update)

    def _on_position_update(self, update: PositionUpdate) -> None:
        self.positions.apply(update)

    def _on_balance_update(self, update: BalanceUpdate) -> None:
        self.account.apply(update)

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
                detail = await self.adapter.orders.order(order_id)
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
        # With topics spread over connections, only the books of the one that reconnected.
        self.market_data.on_connected(topics)

    async def _on_private_connected(self, topics: list[str]) -> None:
        # Whatever happened while the feed was away is fetched and merged (reconcile.py),
        # the recent done orders with the rest.
        self.reconciler.request("reconnect" if self.adapter.private.connections > 1 else "connect")

    def _schedule_history_reload(self) -> None:
        """One REST reload after a burst of done events (the reconciler debounces it): it adds
        the average fill prices."""
        self.reconciler.done_orders_changed()

    # -- helpers ---------------------------------------------------------------------------

    def notify(self, level: str, text: str) -> None:
        (log.warning if level == "error" else log.info)("%s", text)
        self.notices.append(Notice(time.time(), level, text))
        self.notices_version += 1

    def _spawn(self, coro: Any) -> None:
        self._supervised(coro)

    def _supervised(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `coro` as a session task: stopped with the session, its escape reported."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

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
        active: list[OpenOrder],
        stops: list[StopOrder],
        positions: list[PositionUpdate],
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
