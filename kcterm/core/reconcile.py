"""Reconciliation: the exchange owns orders, positions and balances; local state is its cache.

One schedule for all REST truth. A pass runs after every (re)connect of the private feed, every
60 s, and on suspicion (`request(reason)`: a failure that locked trading, an order that ended
oddly). Each pass fetches, once: active orders, stop orders, positions, the account overview,
recent fills, recent done orders, and the funding history of the contracts that have or had a
position since the last pass. What it fetched is merged into core state and handed, as the
venue's typed values, to every `pass_listeners` callback (the on-disk journal records fills
with their fees and funding from there: journal_store.fill_sync). Nothing else polls these.

Every discrepancy is written to the journal with what changed; fills missed while disconnected
are recovered. State the feed touched after a snapshot was requested is newer than that
snapshot and is kept.

Done orders change between passes: a burst of done events on the order feed becomes one
debounced reload of the recent done orders (`done_orders_changed`), not a reload per event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kcterm.core.account import Balances
from kcterm.core.fills import Fills
from kcterm.core.journal import EntryKind, Journal
from kcterm.core.marks import event_mark
from kcterm.core.order_history import OrderHistory
from kcterm.core.orders import OpenOrder, OpenOrders
from kcterm.core.positions import Positions
from kcterm.core.stop_orders import StopOrders
from kcterm.venue.base import AccountVenue
from kcterm.venue.errors import VenueError
from kcterm.venue.events import (
    BalanceUpdate,
    Fill,
    FundingPayment,
    OrderDetail,
    OrderUpdate,
    PositionUpdate,
    StopOrder,
)
from kcterm.venue.priority import Priority

log = logging.getLogger("kcterm.core.reconcile")

RECONCILE_INTERVAL_S = 60.0
RETRY_AFTER_FAILURE_S = 2.0
DONE_DEBOUNCE_S = 0.5  # done events closer than this are one burst: one reload after it
DONE_MAX_WAIT_S = 3.0  # a steady stream of done events still reloads this often

# (reason, the venue's resting orders, its untriggered stops, its positions) after each pass
AfterPass = Callable[[str, list[OpenOrder], list[StopOrder], list[PositionUpdate]], None]


@dataclass(frozen=True, slots=True)
class AccountPass:
    """What one pass read of the account, as the venue's typed values."""

    reason: str
    fills: tuple[Fill, ...]  # the venue's recent fills (fees included), newest first
    funding: tuple[FundingPayment, ...]  # of the contracts held at or since the last pass
    positions: tuple[PositionUpdate, ...]
    balance: BalanceUpdate | None


PassListener = Callable[[AccountPass], None]


@dataclass
class ReconcileStats:
    passes: int = 0
    failures: int = 0
    discrepancies_found: int = 0
    discrepancies_fixed: int = 0
    fills_recovered: int = 0
    done_reloads: int = 0  # debounced reloads of done orders between passes
    funding_symbols: list[str] = field(default_factory=list)  # read by the last pass
    last_changes: list[str] = field(default_factory=list)


class Reconciler:
    def __init__(
        self,
        venue: AccountVenue,
        journal: Journal,
        orders: OpenOrders,
        stops: StopOrders,
        positions: Positions,
        account: Balances,
        fills: Fills,
        *,
        history: OrderHistory | None = None,
        interval: float = RECONCILE_INTERVAL_S,
        debounce: float = DONE_DEBOUNCE_S,
    ) -> None:
        self.venue = venue  # the account's REST truth, typed (venue.base AccountVenue)
        self.journal = journal
        self.orders = orders
        self.stops = stops
        self.positions = positions
        self.account = account
        self.fills = fills
        self.history = history
        self.interval = interval
        self.debounce = debounce
        self.stats = ReconcileStats()
        self._order_marks: dict[str, int] = {}  # order id -> mark of its last feed event
        self._wake = asyncio.Event()
        self._reason = "start"
        self._loaded = False  # the first pass loads; it finds no discrepancies
        # Called after every pass with (reason, active orders, stop orders, positions) as the
        # exchange listed them: the session looks there for orphaned TP/SL (bracket_guard).
        self.after_pass: AfterPass | None = None
        # Called after every pass with what it read of the account (the journal store).
        self.pass_listeners: list[PassListener] = []
        # What the next pass's funding is read for: contracts held at the last pass ...
        self._held: set[str] = set()
        self._last_mark = 0  # ... or changed on the feed since this mark (the last pass's)
        self._listed: set[str] = set()  # ... or traded since: trade ids the last pass listed
        # The debounced reload of done orders between passes.
        self._done_wake = asyncio.Event()
        self._done_due = 0.0  # monotonic time it is due; 0: none wanted
        self._done_first = 0.0  # the burst's first event (the reload waits DONE_MAX_WAIT_S)
        self._done_event_mark = 0  # mark of the latest done event
        self._done_loaded_mark = 0  # mark at which done orders were last fetched
        self._in_pass = 0  # passes running now (run_once may also be called directly)
        self._reloading = False

    def note_order_event(self, order_id: str) -> None:
        self._order_marks[order_id] = event_mark()

    def on_order_update(self, update: OrderUpdate) -> None:
        """Every order event (a subscriber of the bus): REST older than it does not overwrite
        it, and a done order means one debounced reload of the recent done orders (their
        average fill prices)."""
        self.note_order_event(update.order_id)
        if update.done:
            self.done_orders_changed()

    def request(self, reason: str) -> None:
        """Ask for a pass as soon as possible (e.g. the private feed reconnected)."""
        self._reason = reason
        self._wake.set()

    @property
    def pending(self) -> bool:
        """A pass has been asked for and has not begun yet."""
        return self._wake.is_set()

    @property
    def idle(self) -> bool:
        """No pass and no done-order reload is running, asked for or waiting for its burst
        to end."""
        return not (self._wake.is_set() or self._in_pass or self._done_due or self._reloading)

    def done_orders_changed(self) -> None:
        """An order ended on the feed: reload the recent done orders (their average fill
        prices) once the burst is over, unless a pass does it first."""
        now = time.monotonic()
        if not self._done_due:
            self._done_first = now
        self._done_due = min(now + self.debounce, self._done_first + DONE_MAX_WAIT_S)
        self._done_event_mark = event_mark()
        self._done_wake.set()

    async def run(self) -> None:
        """Passes on request and every `interval` seconds, and the debounced done-order
        reloads between them, until cancelled."""
        try:
            async with asyncio.TaskGroup() as group:  # one of them failing ends both
                group.create_task(self._passes())
                group.create_task(self._done_reloads())
        except ExceptionGroup as failed:
            # The failure itself, as the session reports an escaped task failure (fault_lock).
            raise failed.exceptions[0] from None

    async def _passes(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except TimeoutError:
                self._reason = "periodic"
            self._wake.clear()
            try:
                await self.run_once(self._reason)
            except VenueError as exc:
                self.stats.failures += 1
                self.journal.error("Reconciliation failed; trying again", exc)
                await asyncio.sleep(RETRY_AFTER_FAILURE_S)
                self._wake.set()

    async def _done_reloads(self) -> None:
        while True:
            await self._done_wake.wait()
            self._done_wake.clear()
            # Sleep until the burst is over (each event moves the deadline, up to the cap).
            while (left := self._done_due - time.monotonic()) > 0:
                await asyncio.sleep(left)
            if self._done_loaded_mark > self._done_event_mark:
                self._done_due = 0.0
                continue  # a pass began after the last done event and fetched them
            self._reloading, self._done_due = True, 0.0
            try:
                mark = event_mark()
                done = await self._fetch_done()
                if done is not None and self.history is not None:
                    self._done_loaded_mark = mark
                    self.history.load_recent(done)
                self.stats.done_reloads += 1
            finally:
                self._reloading = False

    async def _fetch_done(self) -> list[OrderDetail] | None:
        try:
            return await self.venue.done_orders(priority=Priority.BACKGROUND)
        except VenueError as exc:
            self.journal.error("Loading order history failed", exc)
            return None

    async def _fetch_funding(self, symbols: list[str]) -> list[FundingPayment]:
        payments: list[FundingPayment] = []
        for symbol in symbols:
            try:
                payments += await self.venue.funding(symbol, priority=Priority.BACKGROUND)
            except VenueError as exc:
                log.info("funding history of %s unavailable: %s", symbol, exc)
        return payments

    async def run_once(self, reason: str = "manual") -> list[str]:
        """One pass; returns the discrepancies it found (and fixed)."""
        self._in_pass += 1
        try:
            return await self._pass(reason)
        finally:
            self._in_pass -= 1

    async def _pass(self, reason: str) -> list[str]:
        mark = event_mark()
        q = Priority.QUERY
        active, stops, positions, balance, fills, done = await asyncio.gather(
            self.venue.open_orders(priority=q),
            self.venue.stop_orders(priority=q),
            self.venue.positions(priority=q),
            self.venue.balance(priority=q),
            self.venue.recent_fills(priority=q),
            self._fetch_done(),  # history only: its failure is journaled, not the pass's
        )
        # No await from here on: the merge is atomic with respect to the feed.
        changes = self._merge_orders(active, mark)
        changes += self.stops.merge(stops, mark)
        changes += self.positions.merge(positions, mark)
        changes += self.account.merge(balance, mark)
        recovered = self.fills.merge_fills(fills)
        if done is not None and self.history is not None:
            self._done_loaded_mark = mark
            self.history.load_recent(done)
        loaded, self._loaded = self._loaded, True
        if self.after_pass is not None:
            try:
                self.after_pass(reason, active, stops, positions)
            except Exception:  # a bad hook must not stop reconciliation
                log.exception("after-reconcile hook failed")
        # Funding only where a position is or was since the last pass: held now or then,
        # changed on the feed meanwhile, or traded (a fill since means a position since).
        held = {p.symbol for p in positions if p.qty}
        traded = {f.symbol for f in fills if f.trade_id not in self._listed}
        wanted = sorted(held | self._held | self.positions.touched_since(self._last_mark) | traded)
        self._held, self._listed, self._last_mark = held, {f.trade_id for f in fills}, mark
        funding = await self._fetch_funding([s for s in wanted if s])
        self.stats.funding_symbols = wanted
        result = AccountPass(reason, tuple(fills), tuple(funding), tuple(positions), balance)
        for listener in tuple(self.pass_listeners):
            try:
                listener(result)
            except Exception:  # the journal failing must not stop reconciliation
                log.exception("reconcile pass listener failed")
        self.stats.passes += 1
        if not loaded:
            self.journal.info(
                f"Loaded {len(self.orders)} open orders, {len(self.stops)} stop orders, "
                f"{len(self.positions)} positions and {len(self.fills)} fills"
            )
            return []
        for fill in recovered:
            changes.append(
                f"fill {fill.trade_id} recovered: {fill.side} {fill.size} {fill.symbol} "
                f"@ {fill.price} (order {fill.order_id})"
            )
        self.stats.fills_recovered += len(recovered)
        self.stats.discrepancies_found += len(changes)
        self.stats.discrepancies_fixed += len(changes)
        self.stats.last_changes = changes
        for change in changes:
            log.warning("reconcile (%s): %s", reason, change)
            self.journal.add(
                EntryKind.INFO, f"Reconciled ({reason}): {change}", data={"discrepancy": change}
            )
        return changes

    def _merge_orders(self, active: list[OpenOrder], mark: int) -> list[str]:
        remote = {order.order_id: order for order in active}
        local = {order.order_id: order for order in self.orders.all()}
        merged: list[OpenOrder] = []
        changes: list[str] = []
        for order_id in sorted(set(remote) | set(local)):
            mine, theirs = local.get(order_id), remote.get(order_id)
            if self._order_marks.get(order_id, 0) > mark:
                if mine is not None:  # the feed is newer than the snapshot
                    merged.append(mine)
                continue
            if theirs is None:
                assert mine is not None
                changes.append(f"order {order_id} ({mine.symbol}) is no longer open")
                continue
            merged.append(theirs)
            if mine is None:
                changes.append(
                    f"order {order_id} missing locally: {theirs.side} "
                    f"{theirs.size} {theirs.symbol} @ {theirs.price}"
                )
                continue
            if (mine.size, mine.filled_size) != (theirs.size, theirs.filled_size):
                changes.append(
                    f"order {order_id}: size/filled {mine.size}/{mine.filled_size} -> "
                    f"{theirs.size}/{theirs.filled_size}"
                )
        self.orders.load_active(merged)
        return changes
