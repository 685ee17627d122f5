"""The journal's share of each reconcile pass: fills with their fees, funding, and the fill
discrepancies they reveal.

The order feed tells of a fill at once but without its fee, and says nothing of fills made while
kcterm was closed or disconnected, nor of funding. The reconciler (core.reconcile) reads the
venue's fill list and the funding of the contracts held on its one schedule; FillSync hears
every pass and records what is new. It asks the venue nothing itself.

Comparing the two sources is the fill reconciliation: a fill the feed reported that the
exchange does not list, or (once the feed is known to report fills) a fill the exchange lists
that the feed never reported, is a discrepancy, journaled once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Protocol

from kcterm.core.bus import EventBus
from kcterm.core.journal import Journal
from kcterm.core.reconcile import AccountPass, Reconciler
from kcterm.journal_store.recorder import JournalRecorder
from kcterm.venue.events import Fill, OrderUpdate

FEED_GRACE_S = 15.0  # how long either source may lag the other before it is a discrepancy
log = logging.getLogger("kcterm.journal_store.sync")


class FillSync:
    def __init__(
        self,
        recorder: JournalRecorder,
        reconciler: Reconciler | None = None,
        *,
        grace: float = FEED_GRACE_S,
    ) -> None:
        """``reconciler``: whose passes to hear (None: the caller feeds `on_pass` itself)."""
        self.recorder = recorder
        self.grace = grace
        self.started_at = time.time()
        self.rest_trade_ids: set[str] = set()
        self.reported: set[str] = set()
        self.syncs = 0
        if reconciler is not None:
            reconciler.pass_listeners.append(self.on_pass)

    def on_pass(self, result: AccountPass) -> None:
        """One reconcile pass's fills and funding: record the new ones, compare the sources."""
        for fill in result.fills:
            if fill.trade_id not in self.rest_trade_ids:
                self.rest_trade_ids.add(fill.trade_id)
                self.recorder.record_fill(fill)
        self._reconcile(result.fills)
        for payment in result.funding:
            self.recorder.record_funding(payment)  # a known payment is ignored by its id
        self.syncs += 1

    def _reconcile(self, fills: Sequence[Fill]) -> None:
        now = time.time()
        feed = self.recorder.feed_trade_ids
        listed = {fill.trade_id for fill in fills}
        for trade_id, at in list(feed.items()):
            if trade_id not in listed and now - at > self.grace:
                self._report(
                    trade_id,
                    f"The order feed reported fill {trade_id}, which the exchange's fill list "
                    "does not show",
                    "",
                )
        if not feed:
            return  # the feed has not reported a fill with its data yet: nothing to compare
        for fill in fills:
            at = fill.ts_ns / 1e9 if fill.ts_ns else now
            if fill.trade_id in feed or at < self.started_at or now - at <= self.grace:
                continue
            self._report(
                fill.trade_id,
                f"Fill {fill.trade_id} ({fill.side.value} {fill.size} @ {fill.price}) "
                "is in the exchange's fill list but never came on the order feed",
                fill.symbol,
            )

    def _report(self, trade_id: str, what: str, symbol: str) -> None:
        if trade_id in self.reported:
            return
        self.reported.add(trade_id)
        log.warning("fill reconciliation: %s", what)
        self.recorder.discrepancy(what, symbol)


class Followed(Protocol):
    """What the journal file listens to on a session (core.session.Session has these)."""

    journal: Journal
    bus: EventBus
    reconciler: Reconciler


def follow_session(recorder: JournalRecorder, session: Followed) -> FillSync:
    """Attach the journal file to a session, the one way the app does it (profile_runner):
    every journal line, the order feed's fills as they happen (the bus) and every reconcile
    pass's fills with fees and funding (FillSync)."""
    session.journal.add_listener(recorder.on_entry)
    session.bus.subscribe(OrderUpdate, recorder.on_order_update)
    return FillSync(recorder, session.reconciler)
