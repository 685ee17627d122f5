"""Open orders as the private order feed reports them (spec/REFERENCE.md 8.3, tradeOrders).

The feed is the truth: an order shows as open when the exchange says `open`, not when the REST
reply arrives. REST active orders seed the table at start and after reconnects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal

log = logging.getLogger("kcterm.core.orders")

_DONE_TYPES = {"filled", "canceled"}


@dataclass(frozen=True, slots=True)
class OpenOrder:
    order_id: str
    client_oid: str
    symbol: str
    side: str
    order_type: str
    price: Decimal
    size: int
    filled_size: int
    status: str
    order_time_ns: int

    @property
    def remaining(self) -> int:
        return self.size - self.filled_size


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

    def load_active(self, items: list[dict[str, Any]]) -> None:
        """Replace the table with GET /api/v1/orders?status=active items.

        See spec/REFERENCE.md 7.13."""
        self._orders = {}
        for item in items:
            if not item.get("isActive", True) or item.get("stop"):
                continue
            order = OpenOrder(
                order_id=str(item["id"]),
                client_oid=str(item.get("clientOid") or ""),
                symbol=item["symbol"],
                side=item["side"],
                order_type=item.get("type", "limit"),
                price=to_decimal(item.get("price") or 0),
                size=int(item["size"]),
                filled_size=int(item.get("filledSize") or item.get("dealSize") or 0),
                status="open",
                order_time_ns=int(item.get("orderTime") or 0),
            )
            self._orders[order.order_id] = order
        self.version += 1

    def apply_event(self, data: dict[str, Any]) -> OpenOrder | None:
        """Apply one tradeOrders `data` payload. Returns the order as it is now, if still open."""
        order_id = str(data["orderId"])
        kind = data.get("type")
        status = data.get("status")
        if kind in _DONE_TYPES or status == "done":
            removed = self._orders.pop(order_id, None)
            if removed is not None:
                self.version += 1
            return None
        current = self._orders.get(order_id)
        size = int(data.get("size") or (current.size if current else 0))
        filled = int(data.get("filledSize") or 0)
        if kind == "open" or current is None:
            if data.get("orderType") == "market":
                return None  # a market order never rests; only its fills matter
            current = OpenOrder(
                order_id=order_id,
                client_oid=str(data.get("clientOid") or ""),
                symbol=data["symbol"],
                side=data["side"],
                order_type=data.get("orderType", "limit"),
                price=to_decimal(data.get("price") or 0),
                size=size,
                filled_size=filled,
                status=str(status or "open"),
                order_time_ns=int(data.get("orderTime") or data.get("ts") or 0),
            )
        else:
            current = replace(current, size=size, filled_size=filled, status=str(status))
        self._orders[order_id] = current
        self.version += 1
        return current
