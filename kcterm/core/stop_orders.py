"""Untriggered stop orders: the advancedOrders feed live, GET /api/v1/stopOrders to reconcile
(spec/REFERENCE.md 7.13 and 8.3 Stop orders)."""

from __future__ import annotations

from kcterm.core.marks import event_mark
from kcterm.venue.events import StopEventKind, StopOrder, StopOrderUpdate

__all__ = ["StopOrder", "StopOrders", "stop_from_update"]


def stop_from_update(update: StopOrderUpdate) -> StopOrder:
    """The stop feed's "open" event as the stop order it placed."""
    return StopOrder(
        update.order_id,
        update.symbol,
        update.side.value,
        update.size,
        update.stop_direction,
        update.stop_price,
        update.order_price,
        update.trigger,
        reduce_only=update.reduce_only,
        close_order=update.close_order,
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
            self._orders[order_id] = stop_from_update(update)
        else:  # triggered (it is an ordinary order now) or cancelled
            self._orders.pop(order_id, None)
        self.version += 1

    def merge(self, stops: list[StopOrder], mark: int) -> list[str]:
        remote = {stop.order_id: stop for stop in stops}
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
