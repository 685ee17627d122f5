"""Open orders as the private order feed reports them (spec/REFERENCE.md 8.3, tradeOrders).

The feed is the truth: an order shows as open when the exchange says `open`, not when the REST
reply arrives. REST active orders seed the table at start and after reconnects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from kcterm.venue.events import OpenOrder, OrderEventKind, OrderUpdate

log = logging.getLogger("kcterm.core.orders")

__all__ = ["OpenOrder", "OpenOrders"]


class OpenOrders:
    """order id -> OpenOrder, fed by order events; `version` moves on every change."""

    def __init__(self) -> None:
        self._orders: dict[str, OpenOrder] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def get(self, order_id: str) -> OpenOrder | None:
        return self._orders.get(order_id)

    def all(self) -> list[OpenOrder]:
        """Newest first, as traders expect to read an order list."""
        return sorted(self._orders.values(), key=lambda o: o.order_time_ns, reverse=True)

    def load_active(self, orders: Iterable[OpenOrder]) -> None:
        """Replace the table with the venue's list of resting orders (the reconcile pass)."""
        self._orders = {order.order_id: order for order in orders}
        self.version += 1

    def apply_update(self, update: OrderUpdate) -> OpenOrder | None:
        """Apply one order event. Returns the order as it is now, if still open."""
        order_id = update.order_id
        if update.done:
            removed = self._orders.pop(order_id, None)
            if removed is not None:
                self.version += 1
            return None
        current = self._orders.get(order_id)
        size = update.size if update.size else (current.size if current else 0)
        filled = update.filled_size
        if update.kind is OrderEventKind.OPEN or current is None:
            if update.order_type == "market":
                return None  # a market order never rests; only its fills matter
            current = OpenOrder(
                order_id=order_id,
                client_oid=update.client_oid,
                symbol=update.symbol,
                side=update.side.value,
                order_type=update.order_type,
                price=update.price or Decimal(0),
                size=size,
                filled_size=filled,
                status=update.status or "open",
                order_time_ns=update.order_time_ns or update.ts_ns,
            )
        else:
            current = replace(current, size=size, filled_size=filled, status=update.status)
        self._orders[order_id] = current
        self.version += 1
        return current
