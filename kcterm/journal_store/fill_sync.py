"""Fills and funding from the exchange's own lists, and the discrepancies they reveal.

The order feed tells of a fill at once but without its fee, and says nothing of fills made while
kcterm was closed or disconnected, nor of funding. So shortly after any order event, and once a
minute anyway, FillSync reads GET /api/v1/recentFills (fees included) and the funding history
of the contracts traded, and records what is new. Comparing the two sources is the fill
reconciliation: a fill the feed reported that the exchange does not list, or (once the feed is
known to report fills) a fill the exchange lists that the feed never reported, is a
discrepancy, journaled once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from kcterm.journal_store.recorder import JournalRecorder, _seconds
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient

INTERVAL_S = 60.0
DEBOUNCE_S = 2.0  # a burst of order events becomes one request
FEED_GRACE_S = 15.0  # how long either source may lag the other before it is a discrepancy
log = logging.getLogger("kcterm.journal_store.sync")


class FillSync:
    def __init__(
        self,
        rest: RestClient,
        recorder: JournalRecorder,
        *,
        symbols: Callable[[], Iterable[str]] = tuple,
        interval: float = INTERVAL_S,
        debounce: float = DEBOUNCE_S,
        grace: float = FEED_GRACE_S,
    ) -> None:
        self.rest = rest
        self.recorder = recorder
        self.symbols = symbols  # contracts whose funding to read, besides those with fills
        self.interval = interval
        self.debounce = debounce
        self.grace = grace
        self.started_at = time.time()
        self.rest_trade_ids: set[str] = set()
        self.fill_symbols: set[str] = set()
        self.reported: set[str] = set()
        self.syncs = 0
        self._wake = asyncio.Event()
        recorder.fill_listeners.append(self.hint)

    def hint(self) -> None:
        """Something happened on the order feed: read the fill list soon."""
        self._wake.set()

    async def run(self) -> None:
        """Sync now, then after every hint (debounced) and every `interval` seconds."""
        while True:
            await self.sync_once()
            try:
                await asyncio.wait_for(self._wake.wait(), self.interval)
                await asyncio.sleep(self.debounce)
            except TimeoutError:
                pass
            self._wake.clear()

    async def sync_once(self) -> None:
        try:
            fills = await self.rest.request("GET", "/api/v1/recentFills", signed=True)
        except KucoinError as exc:
            log.info("fill list unavailable: %s", exc)
            return
        for item in fills or []:
            trade_id = str(item.get("tradeId", ""))
            self.fill_symbols.add(str(item.get("symbol", "")))
            if trade_id and trade_id not in self.rest_trade_ids:
                self.rest_trade_ids.add(trade_id)
                self.recorder.rest_fill(item)
        self._reconcile(fills or [])
        for symbol in sorted(set(self.symbols()) | self.fill_symbols):
            await self._funding(symbol)
        self.syncs += 1

    async def _funding(self, symbol: str) -> None:
        try:
            page = await self.rest.request(
                "GET",
                "/api/v1/funding-history",
                params={"symbol": symbol, "maxCount": 100},
                signed=True,
            )
        except KucoinError as exc:
            log.info("funding history of %s unavailable: %s", symbol, exc)
            return
        for item in (page or {}).get("dataList") or []:
            self.recorder.funding(item)

    def _reconcile(self, fills: list[dict[str, Any]]) -> None:
        now = time.time()
        feed = self.recorder.feed_trade_ids
        listed = {str(item.get("tradeId")) for item in fills}
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
        for item in fills:
            trade_id = str(item.get("tradeId"))
            at = _seconds(item.get("tradeTime")) or now
            if trade_id in feed or at < self.started_at or now - at <= self.grace:
                continue
            self._report(
                trade_id,
                f"Fill {trade_id} ({item.get('side')} {item.get('size')} @ {item.get('price')}) "
                "is in the exchange's fill list but never came on the order feed",
                str(item.get("symbol", "")),
            )

    def _report(self, trade_id: str, what: str, symbol: str) -> None:
        if trade_id in self.reported:
            return
        self.reported.add(trade_id)
        log.warning("fill reconciliation: %s", what)
        self.recorder.discrepancy(what, symbol)
