"""Reconciliation: the exchange owns orders, positions and balances; local state is its cache.

After every (re)connect of the private feed and every 60 s, active orders, stop orders,
positions, the account overview and recent fills are fetched and merged. Every discrepancy is
written to the journal with what changed; fills missed while disconnected are recovered. State
the feed touched after a snapshot was requested is newer than that snapshot and is kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kcterm.core.account import Account
from kcterm.core.fills import Fills
from kcterm.core.journal import EntryKind, Journal
from kcterm.core.marks import event_mark
from kcterm.core.orders import OpenOrder, OpenOrders
from kcterm.core.positions import Positions
from kcterm.core.stop_orders import StopOrders
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.order_events import open_orders
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.throttle import Priority

log = logging.getLogger("kcterm.core.reconcile")

RECONCILE_INTERVAL_S = 60.0
RETRY_AFTER_FAILURE_S = 2.0

AfterPass = Callable[[str, list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]], None]


@dataclass
class ReconcileStats:
    passes: int = 0
    failures: int = 0
    discrepancies_found: int = 0
    discrepancies_fixed: int = 0
    fills_recovered: int = 0
    last_changes: list[str] = field(default_factory=list)


class Reconciler:
    def __init__(
        self,
        rest: RestClient,
        journal: Journal,
        orders: OpenOrders,
        stops: StopOrders,
        positions: Positions,
        account: Account,
        fills: Fills,
        *,
        interval: float = RECONCILE_INTERVAL_S,
    ) -> None:
        self.rest = rest
        self.journal = journal
        self.orders = orders
        self.stops = stops
        self.positions = positions
        self.account = account
        self.fills = fills
        self.interval = interval
        self.stats = ReconcileStats()
        self._order_marks: dict[str, int] = {}  # order id -> mark of its last feed event
        self._wake = asyncio.Event()
        self._reason = "start"
        self._loaded = False  # the first pass loads; it finds no discrepancies
        # Called after every pass with (reason, active orders, stop orders, positions) as the
        # exchange listed them: the session looks there for orphaned TP/SL (bracket_guard).
        self.after_pass: AfterPass | None = None

    def note_order_event(self, order_id: str) -> None:
        self._order_marks[order_id] = event_mark()

    def request(self, reason: str) -> None:
        """Ask for a pass as soon as possible (e.g. the private feed reconnected)."""
        self._reason = reason
        self._wake.set()

    async def run(self) -> None:
        """Passes on request and every `interval` seconds, until cancelled."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
            except TimeoutError:
                self._reason = "periodic"
            self._wake.clear()
            try:
                await self.run_once(self._reason)
            except KucoinError as exc:
                self.stats.failures += 1
                self.journal.error("Reconciliation failed; trying again", exc)
                await asyncio.sleep(RETRY_AFTER_FAILURE_S)
                self._wake.set()

    async def run_once(self, reason: str = "manual") -> list[str]:
        """One pass; returns the discrepancies it found (and fixed)."""
        mark = event_mark()
        q = Priority.QUERY
        active, stops, positions, overview, fills = await asyncio.gather(
            self.rest.active_orders(priority=q),
            self.rest.stop_orders(priority=q),
            self.rest.positions(priority=q),
            self.rest.account_overview(priority=q),
            self.rest.recent_fills(priority=q),
        )
        # No await from here on: the merge is atomic with respect to the feed.
        changes = self._merge_orders(active, mark)
        changes += self.stops.merge(stops, mark)
        changes += self.positions.merge(positions, mark)
        changes += self.account.merge(overview or {}, mark)
        recovered = self.fills.merge_recent(fills)
        loaded, self._loaded = self._loaded, True
        if self.after_pass is not None:
            try:
                self.after_pass(reason, active, stops, positions)
            except Exception:  # a bad hook must not stop reconciliation
                log.exception("after-reconcile hook failed")
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

    def _merge_orders(self, items: list[dict[str, Any]], mark: int) -> list[str]:
        remote = {order.order_id: order for order in open_orders(items)}
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
