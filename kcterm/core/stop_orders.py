"""Untriggered stop orders: the advancedOrders feed live, GET /api/v1/stopOrders to reconcile
(spec/REFERENCE.md 7.13 and 8.3 Stop orders)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal
from kcterm.core.marks import event_mark
from kcterm.venue.events import StopEventKind, StopOrderUpdate


@dataclass(frozen=True, slots=True)
class StopOrder:
    order_id: str
    symbol: str
    side: str
    size: int
    stop: str  # up | down
    stop_price: Decimal
    price: Decimal  # 0 for a market stop
    trigger: str = ""  # stopPriceType: TP last trade, MP mark, IP index

    @classmethod
    def from_rest(cls, item: dict[str, Any]) -> StopOrder:
        return cls(
            str(item["id"]),
            str(item["symbol"]),
            str(item["side"]),
            int(item["size"]),
            str(item.get("stop") or ""),
            to_decimal(item.get("stopPrice") or 0),
            to_decimal(item.get("price") or 0),
            str(item.get("stopPriceType") or ""),
        )

    @classmethod
    def from_update(cls, update: StopOrderUpdate) -> StopOrder:
        return cls(
            update.order_id,
            update.symbol,
            update.side.value,
            update.size,
            update.stop_direction,
            update.stop_price,
            update.order_price,
            update.trigger_price_type,
        )


class StopOrders:
    def __init__(self) -> None:
        self._orders: dict[str, StopOrder] = {}
        self._touched: dict[str, int] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self._orders)

    def all(self) -> list[StopOrder]:
        return sorted(self._orders.values(), key=lambda o: o.order_id)

    def apply_update(self, update: StopOrderUpdate) -> None:
        order_id = update.order_id
        self._touched[order_id] = event_mark()
        if update.kind is StopEventKind.OPEN:
            self._orders[order_id] = StopOrder.from_update(update)
        else:  # triggered (it is an ordinary order now) or cancelled
            self._orders.pop(order_id, None)
        self.version += 1

    def merge(self, items: list[dict[str, Any]], mark: int) -> list[str]:
        remote = {str(i["id"]): StopOrder.from_rest(i) for i in items}
        changes: list[str] = []
        for order_id in sorted(set(remote) | set(self._orders)):
            if self._touched.get(order_id, 0) > mark:
                continue
            local, fresh = self._orders.get(order_id), remote.get(order_id)
            if local is None and fresh is not None:
                changes.append(f"stop order {order_id} ({fresh.symbol}) missing locally")
                self._orders[order_id] = fresh
            elif fresh is None and local is not None:
                changes.append(f"stop order {order_id} ({local.symbol}) gone on the exchange")
                del self._orders[order_id]
        if changes:
            self.version += 1
        return changes
