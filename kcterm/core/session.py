"""One trading session on one venue: a small composition of parts, each with one job.

`market_data` (books, tickers, tapes, candles, the watchlist, leased subscriptions), `trading`
(core.trading OrderManagement: the one owner of order state and the order actions), `account`
(core.account Account: positions, balances, margin settings), `health` (streams, clock,
budget), `reconciler` (the one schedule for REST truth), `bus` (typed events from the venue)
and `faults` (the lock an escaped exception sets). The session starts and stops them, keeps the
notices for the status bar and the contracts every part reads.

It is given its venue (venue.base Venue; KuCoin's is venue.kucoin.venue KucoinVenue, built by
kcterm.profile_runner) and hands each part the Protocol it needs: core imports no adapter.
Handlers only update state and bump version counters, so a burst of messages costs a few dict
writes and the UI repaints on its own frame timer.
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
from kcterm.core.bus import EventBus
from kcterm.core.candles import CandleSeries
from kcterm.core.contract import Contract
from kcterm.core.escape_hooks import EscapeHooks
from kcterm.core.fault_lock import FaultLock
from kcterm.core.health import Health
from kcterm.core.interlock import FeedFacts
from kcterm.core.journal import EntryKind, Journal, JournalEntry
from kcterm.core.market_data import LEASE_GRACE_S, RESYNC_NOTIFY_EVERY, MarketData
from kcterm.core.reconcile import Reconciler
from kcterm.core.trading import OrderManagement
from kcterm.venue.base import Venue
from kcterm.venue.errors import VenueError
from kcterm.venue.events import OpenOrder, OrderUpdate, PositionUpdate, StopOrder
from kcterm.venue.stream_status import StreamState

log = logging.getLogger("kcterm.core.session")

STOP_TIMEOUT_S = 3.0  # stop() waits this long for the cancelled tasks


@dataclass(frozen=True, slots=True)
class Notice:
    """A line for the user: what happened, in words, with KuCoin's code when there is one."""

    at: float
    level: str  # "info" | "error"
    text: str


class Session:
    def __init__(
        self,
        adapter: Venue,
        *,
        venue: str,
        reconcile_interval: float | None = None,
        profile_name: str = "",
        lease_grace_s: float = LEASE_GRACE_S,
    ) -> None:
        self.adapter = adapter  # the venue's parts (venue.base); the window never reads it
        self.venue = venue  # "sim" | "live" | "custom"
        # The profile's slug (Profile.slug): the window keeps its confirmation choices under it.
        self.profile_name = profile_name
        self.contracts: dict[str, Contract] = {}
        self.notices: deque[Notice] = deque(maxlen=500)
        self.notices_version = 0
        # The link's health (streams, clock, budget, feed freshness): what the status bar and
        # the stale veils read, instead of the client and the stream groups themselves.
        self.health = Health(adapter.requests, lambda symbol: self.market_data.feeds.get(symbol))
        self.health.watch(adapter.public, adapter.private)
        adapter.on_link(
            state=self.health.set_stream_state,
            public_connected=self._on_public_connected,
            private_connected=self._on_private_connected,
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        # The one event bus (core.bus): typed events from the venue, fanned out to the parts
        # and to whoever else subscribes (the journal file, a modify awaiting its echo).
        self.bus = EventBus(on_error=self.report_failure)
        self.journal = Journal()
        self.journal.add_listener(self._on_journal_entry)
        # Books, tickers, tapes, candles and the watchlist, held by leases (market_data.py).
        self.market_data = MarketData(
            adapter.market,
            self.contracts,
            self.journal,
            notify=self.notify,
            spawn=self._supervised,
            is_connected=lambda: adapter.public.state is StreamState.CONNECTED,
            grace_s=lease_grace_s,
        )
        self.account = Account(adapter.margin, self.bus, self.journal, notify=self.notify)
        self.trading = OrderManagement(
            adapter.orders,
            adapter.account,
            self.bus,
            self.journal,
            self.contracts,
            self.market_data,
            self.account,
            notify=self.notify,
            spawn=self._supervised,
            request_reconcile=lambda reason: self.reconciler.request(reason),
        )
        # Balances between the exchange's reports count the margin of orders placed since.
        self.account.balances.order_margin = self.trading.order_margin
        trading = self.trading
        self.reconciler = Reconciler(
            adapter.account,
            self.journal,
            trading.orders,
            trading.stop_orders,
            self.account.positions,
            self.account.balances,
            trading.fills,
            history=trading.history,
            **({"interval": reconcile_interval} if reconcile_interval else {}),
        )
        self.reconciler.after_pass = self._after_reconcile_pass
        self.bus.subscribe(OrderUpdate, self.reconciler.on_order_update)
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
        """Measure the clock, open both streams, load contracts and watch `symbols`.

        The streams are started before the contracts load, so that their tokens, connections
        and welcomes overlap the contract list and the first ticker (issue 14): a symbol
        watched later is subscribed on a link already up, and its snapshot is fetched at once
        (market_data: subscribed mid-connection); one watched before the welcome is in the
        link's first subscriptions, its snapshot fetched on the connect."""
        self._escapes.install(asyncio.get_running_loop())
        await self.adapter.connect()
        self.adapter.private_feed.follow(self.bus.publish)  # typed events on the bus
        self.adapter.start(self._spawn)  # the streams and the clock keeping
        await self.market_data.load_contracts()
        for symbol in symbols:
            await self.watch(symbol)
        self.market_data.start()
        # After the contracts: a pass asked for by the private link's connect waits for it.
        self._spawn(self.reconciler.run())
        self.notify("info", f"Connected to {self.venue} at {self.adapter.address}")
        self.journal.info(f"Connected to {self.venue} at {self.adapter.address}")

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
        market = self.market_data
        seen = market.seen_at(symbol)
        book = market.books.get(symbol)
        feed = market.feeds.get(symbol)
        return FeedFacts(
            public_state=self.adapter.public.state.value,
            private_state=self.adapter.private.state.value,
            book_live=bool(book and book.is_live),
            market_age=None if seen is None else time.monotonic() - seen,
            usual_stale_after=feed.stale_after() if feed is not None else None,
            locked_reason=self.faults.reason,
        )

    # -- what the session hears ----------------------------------------------------------

    def _on_journal_entry(self, entry: JournalEntry, data: Mapping[str, Any] | None) -> None:
        # What the reconciler had to correct is news for the trader, not only for the log:
        # it goes to the status bar as well as the journal panel.
        if data and "discrepancy" in data:
            self.notify("error", f"Reconciled with the exchange: {data['discrepancy']}")

    # -- connection events -----------------------------------------------------------------

    async def _on_public_connected(self, topics: list[str]) -> None:
        # With topics spread over connections, only the books of the one that reconnected.
        self.market_data.on_connected(topics)

    async def _on_private_connected(self, topics: list[str]) -> None:
        # Whatever happened while the feed was away is fetched and merged (reconcile.py),
        # the recent done orders with the rest.
        self.reconciler.request("reconnect" if self.adapter.private.connections > 1 else "connect")

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
        self.trading.after_reconcile(reason, active, stops, positions)  # orphaned TP/SL
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
