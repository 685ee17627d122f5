"""Orders that are done (filled or cancelled), newest first (spec/REFERENCE.md 7.13 and 8.3).

Seeded from GET /api/v1/recentDoneOrders after every private (re)connect; between reloads the
order feed's `filled`/`canceled` events add rows at once, and a later reload (which carries the
average fill price the feed does not) replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal
from kcterm.core.orders import OpenOrder
from kcterm.venue.events import OrderEventKind, OrderUpdate


@dataclass(frozen=True, slots=True)
class DoneOrder:
    order_id: str
    client_oid: str
    symbol: str
    side: str
    order_type: str
    price: Decimal | None  # None for market orders
    size: int
    filled_size: int
    avg_price: Decimal | None
    done_ms: int

    @property
    def result(self) -> str:
        if self.filled_size >= self.size > 0:
            return "filled"
        if self.filled_size == 0:
            return "canceled"
        return "partly filled"


def _decimal_or_none(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    number = to_decimal(value)
    return number if number != 0 else None


class OrderHistory:
    def __init__(self, maxlen: int = 1000) -> None:
        self._orders: dict[str, DoneOrder] = {}
        self._maxlen = maxlen
        self.version = 0
        self.loaded = False

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def get(self, order_id: str) -> DoneOrder | None:
        return self._orders.get(order_id)

    def all(self) -> list[DoneOrder]:
        return sorted(self._orders.values(), key=lambda o: o.done_ms, reverse=True)

    def load_recent(self, items: list[dict[str, Any]]) -> None:
        """Replace with GET /api/v1/recentDoneOrders items (REST is the truth)."""
        orders: dict[str, DoneOrder] = {}
        for item in items:
            order = DoneOrder(
                order_id=str(item["id"]),
                client_oid=str(item.get("clientOid") or ""),
                symbol=str(item["symbol"]),
                side=str(item.get("side", "")),
                order_type=str(item.get("type", "limit")),
                price=_decimal_or_none(item.get("price")),
                size=int(item.get("size") or 0),
                filled_size=int(item.get("filledSize") or item.get("dealSize") or 0),
                avg_price=_decimal_or_none(item.get("avgDealPrice")),
                done_ms=int(item.get("endAt") or item.get("updatedAt") or 0),
            )
            orders[order.order_id] = order
        self._orders = orders
        self._trim()
        self.loaded = True
        self.version += 1

    def on_done_update(self, update: OrderUpdate, known: OpenOrder | None) -> DoneOrder | None:
        """Record the event that ended an order; `known` is the order as it was open."""
        order_id = update.order_id
        if not order_id or order_id in self._orders:
            return None
        size = update.size or (known.size if known else 0)
        filled = update.filled_size or (known.filled_size if known else 0)
        if update.kind is OrderEventKind.FILLED:
            filled = max(filled, size)
        price = update.price or (known.price if known else None)
        order = DoneOrder(
            order_id=order_id,
            client_oid=update.client_oid or (known.client_oid if known else ""),
            symbol=update.symbol or (known.symbol if known else ""),
            side=update.side.value or (known.side if known else ""),
            order_type=update.order_type or (known.order_type if known else "limit"),
            price=price,
            size=size,
            filled_size=filled,
            avg_price=None,  # the feed does not say; the next REST reload fills it in
            done_ms=update.ts_ns // 1_000_000,
        )
        self._orders[order_id] = order
        self._trim()
        self.version += 1
        return order

    def _trim(self) -> None:
        if len(self._orders) > self._maxlen:
            keep = self.all()[: self._maxlen]
            self._orders = {o.order_id: o for o in keep}
