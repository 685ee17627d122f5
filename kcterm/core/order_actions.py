"""Order actions made of several requests: wait for a cancel to take effect, cancel
everywhere.

KuCoin Futures has no amend for ordinary orders, so a modify (core.trading modify_order)
is cancel, wait for the order's end, then the part that did not fill placed again with a new
clientOid. The end is the private feed's word (the `done` OrderUpdate on the bus): no polling
while the feed is up. Only when the feed says nothing for FEED_GRACE_S (it is down, or the
event was lost) is the venue asked, a few times, before giving up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from kcterm.core.bus import EventBus
from kcterm.core.journal import Journal
from kcterm.venue.base import OrderVenue
from kcterm.venue.errors import ErrorKind, VenueError
from kcterm.venue.events import OrderDetail, OrderUpdate

FEED_GRACE_S = 3.0  # the feed's done event normally follows a cancel within milliseconds
FALLBACK_POLLS = 5  # then the venue is asked this many times, FALLBACK_EVERY_S apart
FALLBACK_EVERY_S = 0.5


class OrderEnded(VenueError):
    kind = ErrorKind.UNAVAILABLE
    explanation = "The exchange did not confirm the cancel in time."


class OrderEnds:
    """Futures for "order X is done", resolved by the feed's done OrderUpdate (one bus
    subscription for all waiters: a dict lookup per order event)."""

    def __init__(self, bus: EventBus) -> None:
        self._waiting: dict[str, list[asyncio.Future[OrderUpdate]]] = {}
        bus.subscribe(OrderUpdate, self._on_update)

    def expect(self, order_id: str) -> asyncio.Future[OrderUpdate]:
        """Call before the cancel is sent: a done event that overtakes the reply still counts."""
        future: asyncio.Future[OrderUpdate] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(order_id, []).append(future)
        return future

    def forget(self, order_id: str, future: asyncio.Future[OrderUpdate]) -> None:
        futures = self._waiting.get(order_id, [])
        if future in futures:
            futures.remove(future)
        if not futures:
            self._waiting.pop(order_id, None)
        future.cancel()

    def _on_update(self, update: OrderUpdate) -> None:
        if not update.done:
            return
        for future in self._waiting.pop(update.order_id, []):
            if not future.done():
                future.set_result(update)

    def __len__(self) -> int:
        return sum(len(f) for f in self._waiting.values())


async def wait_until_done(
    ended: asyncio.Future[OrderUpdate],
    ask: Callable[[], Awaitable[OrderDetail]],
    order_id: str,
) -> tuple[int, int]:
    """(size, filled size) of the order once it is done: from the feed's done event, or,
    when the feed stays silent past FEED_GRACE_S, from the venue (`ask`)."""
    try:
        update = await asyncio.wait_for(asyncio.shield(ended), FEED_GRACE_S)
    except TimeoutError:
        pass
    else:
        return update.size or 0, update.filled_size
    for _ in range(FALLBACK_POLLS):
        if ended.done() and not ended.cancelled():
            update = ended.result()
            return update.size or 0, update.filled_size
        detail = await ask()
        if not detail.active:
            return detail.size, detail.filled_size
        await asyncio.sleep(FALLBACK_EVERY_S)
    raise OrderEnded("timeout", f"order {order_id} still active after the cancel")


async def cancel_everywhere(
    venue: OrderVenue, journal: Journal, known_symbols: set[str]
) -> list[str]:
    """Cancel every open order on every contract. The exchange's own list of open orders
    decides which contracts to clear (the local table is only a cache)."""
    journal.action("Cancel all orders on every contract")
    symbols = set(known_symbols)
    try:
        symbols |= await venue.active_symbols()
    except VenueError as exc:
        journal.error("Listing open orders failed; cancelling the known contracts", exc)
    cancelled: list[str] = []
    failures: list[VenueError] = []
    for symbol in sorted(symbols):
        try:
            ids = await venue.cancel_all(symbol)
        except VenueError as exc:
            journal.error(f"Cancel all {symbol} failed", exc, symbol)
            failures.append(exc)
            continue
        cancelled.extend(ids)
        journal.reply(f"Cancel all {symbol}: {len(ids)} order(s) cancelled", symbol)
    if failures:
        raise failures[0]
    return cancelled
