"""Stop orders and TP/SL pairs waiting for their trigger (spec/REFERENCE.md 7.9, 7.10, 8.3).

A stop watches one price source — TP last trade, MP mark, IP index (`TP` is *not*
take-profit) — in one direction: `up` fires when the price reaches stopPrice or above, `down`
at or below. An st-order (take-profit and stop-loss in one) watches both directions and is
one order: whichever trigger fires first submits it, which is what makes it one-cancels-other.

Each (symbol, source, direction) keeps its triggers sorted, so a price update pops exactly the
due ones in O(log n). Triggered orders are submitted after the operation that moved the price
has finished, never from inside a matching loop.
"""

from __future__ import annotations

import logging
from collections import deque
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sortedcontainers import SortedList

from kcterm.sim.errors import SimError
from kcterm.sim.orders import SimOrder

if TYPE_CHECKING:
    from collections.abc import Mapping

    from kcterm.sim.clearing import Clearing
    from kcterm.sim.clock import Clock
    from kcterm.sim.publisher import Publisher
    from kcterm.sim.symbol_market import SymbolMarket

log = logging.getLogger("kcterm.sim.stops")

ADVANCED_TOPIC = "/contractMarket/advancedOrders"
MAX_STOPS = 200  # untriggered stop orders per contract and account (spec/REFERENCE.md 6.3)
SOURCES = ("TP", "MP", "IP")

Key = tuple[str, str, str]  # symbol, source, direction


class StoppedEngine(Protocol):
    """What the stop desk needs of the matching engine (kcterm.sim.engine.Engine), which owns
    the desk: its clock and feeds, the prices a stop watches, the account a stop is placed
    for, and the engine's own entry for a triggered order."""

    @property
    def clock(self) -> Clock: ...
    @property
    def publisher(self) -> Publisher: ...
    @property
    def markets(self) -> Mapping[str, SymbolMarket]: ...
    @property
    def clearing(self) -> Clearing: ...
    def submit(self, order: SimOrder) -> SimOrder: ...
    def touch(self, order: SimOrder) -> None: ...


class StopDesk:
    def __init__(self, engine: StoppedEngine) -> None:
        self.engine = engine
        self.waiting: dict[str, SimOrder] = {}  # order id -> untriggered stop order
        self._watch: dict[Key, SortedList] = {}
        self._entries: dict[str, list[tuple[Key, tuple[Decimal, int, str]]]] = {}
        self._due: deque[SimOrder] = deque()
        self._seq = 0
        self._draining = False

    def count(self, user_id: str, symbol: str) -> int:
        return sum(1 for o in self.waiting.values() if o.user_id == user_id and o.symbol == symbol)

    def add(self, order: SimOrder) -> None:
        if self.count(order.user_id, order.symbol) >= MAX_STOPS:
            raise SimError("300004", f"Too many stop orders: at most {MAX_STOPS} per contract", 200)
        if not order.margin_mode:  # a waiting order shows its mode too (never "")
            account = self.engine.clearing.account(order.user_id)
            order.margin_mode = account.margin_mode(order.symbol)
        self.waiting[order.order_id] = order
        triggers = [(order.stop, order.stop_price)] if order.stop else []
        if order.tp_price is not None:
            triggers.append(("up", order.tp_price))
        if order.sl_price is not None:
            triggers.append(("down", order.sl_price))
        entries = self._entries[order.order_id] = []
        for direction, price in triggers:
            assert price is not None
            self._seq += 1
            key = (order.symbol, order.stop_price_type, direction)
            # "down" lists are kept by -price so the first entry is always the next to fire.
            entry = (price if direction == "up" else -price, self._seq, order.order_id)
            self._watch.setdefault(key, SortedList()).add(entry)
            entries.append((key, entry))
        self._publish(order, "open")
        market = self.engine.markets[order.symbol]
        source_price = {"TP": market.last_price, "MP": market.mark_price, "IP": market.index_price}[
            order.stop_price_type
        ]
        self.check(order.symbol, order.stop_price_type, source_price)  # already due?

    def remove(self, order: SimOrder) -> None:
        self.waiting.pop(order.order_id, None)
        for key, entry in self._entries.pop(order.order_id, []):
            watch = self._watch.get(key)
            if watch is not None:
                watch.discard(entry)

    def cancel(self, order: SimOrder) -> None:
        self.remove(order)
        now = self.engine.clock.now_ms()
        order.canceled = order.size
        order.status = "done"
        order.end_ms = order.updated_ms = now
        self._publish(order, "cancel")

    def check(self, symbol: str, source: str, price: Decimal) -> None:
        """Queue every stop of this source the price has reached."""
        up = self._watch.get((symbol, source, "up"))
        while up and up[0][0] <= price:
            self._queue(up[0][2])
        down = self._watch.get((symbol, source, "down"))
        while down and -down[0][0] >= price:
            self._queue(down[0][2])

    def _queue(self, order_id: str) -> None:
        order = self.waiting[order_id]
        self.remove(order)
        self._due.append(order)

    def drain(self) -> None:
        """Submit triggered orders; their own trades may trigger more, handled in turn."""
        if self._draining:
            return
        self._draining = True
        try:
            while self._due:
                order = self._due.popleft()
                order.stop_triggered = True
                order.updated_ms = self.engine.clock.now_ms()
                self._publish(order, "triggered")
                try:
                    self.engine.submit(order)
                except SimError as exc:  # e.g. no margin left, or nothing to close any more
                    log.info("stop %s cancelled at trigger: %s", order.order_id, exc.msg)
                    order.status = "done"
                    self._publish(order, "cancel", error=exc.msg)
        finally:
            self._draining = False

    def _publish(self, order: SimOrder, kind: str, error: str | None = None) -> None:
        self.engine.touch(order)
        publisher = self.engine.publisher
        if not publisher.wants(ADVANCED_TOPIC, order.user_id):
            return
        data: dict[str, Any] = {
            "createdAt": order.created_ms,
            "marginMode": order.margin_mode or "ISOLATED",
            "orderId": order.order_id,
            "orderPrice": order.price_text(),
            "orderType": "stop",
            "side": order.side,
            "size": order.size,
            "stop": order.stop_direction(),  # an st-order's too: up or down, never ""
            "stopPrice": str(order.stop_price or order.sl_price or order.tp_price or ""),
            "stopPriceType": order.stop_price_type,
            "symbol": order.symbol,
            "ts": self.engine.clock.now_ns(),
            "type": kind,
        }
        if kind == "triggered":
            data["triggerSuccess"] = True
        if error is not None:
            data["error"] = error
        publisher.publish(ADVANCED_TOPIC, "stopOrder", data, order.user_id)
