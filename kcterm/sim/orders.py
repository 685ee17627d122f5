"""An order inside the exchange, and the two shapes it takes on the wire: the REST order
object (spec/REFERENCE.md 7.13) and the tradeOrders event (spec/REFERENCE.md 8.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kcterm.sim.specs import ContractSpec


@dataclass(slots=True, eq=False)
class SimOrder:
    order_id: str
    client_oid: str
    user_id: str
    spec: ContractSpec
    side: str  # "buy" | "sell"
    order_type: str  # "limit" | "market"
    tick: int  # limit price in ticks (0 for market orders)
    size: int
    leverage: str
    margin_mode: str
    created_ms: int
    order_time_ns: int
    time_in_force: str = "GTC"
    post_only: bool = False
    hidden: bool = False
    iceberg: bool = False
    visible_size: int = 0  # an iceberg's tip size
    shown: int = 0  # what the book displays of it now (kept by the engine)
    stop: str = ""  # "up" | "down": a stop order, waiting in the StopDesk until triggered
    stop_price: Decimal | None = None
    stop_price_type: str = ""  # TP last trade | MP mark | IP index
    tp_price: Decimal | None = None  # st-orders: triggerStopUpPrice
    sl_price: Decimal | None = None  # st-orders: triggerStopDownPrice
    stop_triggered: bool = False
    reduce_only: bool = False
    close_order: bool = False
    stp: str = ""
    remark: str | None = None
    filled: int = 0
    canceled: int = 0
    deal_value: Decimal = field(default_factory=Decimal)  # sum of fills' spec.value
    status: str = "open"  # "open" | "done"
    resting: bool = False  # in the book (counts against the open-order cap)
    updated_ms: int = 0
    end_ms: int | None = None

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    @property
    def remaining(self) -> int:
        return self.size - self.filled - self.canceled

    def tip(self) -> int:
        """How much of the remaining size the book shows: none for hidden orders, at most
        visibleSize for an iceberg, everything otherwise."""
        if self.iceberg:
            return min(self.visible_size, self.remaining)
        return 0 if self.hidden else self.remaining

    @property
    def is_active(self) -> bool:
        return self.status == "open"

    @property
    def price(self) -> Decimal:
        return self.spec.price(self.tick)

    def price_text(self) -> str:
        return self.spec.price_text(self.tick) if self.order_type == "limit" else "0"

    def avg_deal_price(self) -> Decimal:
        if not self.filled:
            return Decimal(0)
        if self.spec.inverse:  # deal value is in coins: the average is by value
            avg = self.filled * self.spec.multiplier / self.deal_value
        else:
            avg = self.deal_value / (self.filled * self.spec.multiplier)
        return avg.quantize(self.spec.tick_size / 1000).normalize()

    def stop_direction(self) -> str:
        """up / down for a stop order (an st-order shows its stop-loss side), "" otherwise."""
        return self.stop or ("down" if self.sl_price else "up" if self.tp_price else "")

    def to_api(self) -> dict[str, Any]:
        """The order object of GET /api/v1/orders and friends, field for field."""
        value = self.spec.value(self.size, self.price) if self.order_type == "limit" else 0
        deal_value = _plain(self.deal_value)
        return {
            "id": self.order_id,
            "symbol": self.symbol,
            "type": self.order_type,
            "side": self.side,
            "price": self.price_text(),
            "size": self.size,
            "value": _plain(value),
            "dealValue": deal_value,
            "dealSize": self.filled,
            "stp": self.stp,
            "stop": self.stop_direction(),
            "stopPriceType": self.stop_price_type,
            "stopTriggered": self.stop_triggered,
            "stopPrice": _stop_price(self),
            "timeInForce": self.time_in_force,
            "postOnly": self.post_only,
            "hidden": self.hidden,
            "iceberg": self.iceberg,
            "leverage": self.leverage,
            "forceHold": False,
            "closeOrder": self.close_order,
            "visibleSize": self.visible_size,
            "clientOid": self.client_oid,
            "remark": self.remark,
            "tags": "",
            "isActive": self.is_active,
            "cancelExist": self.canceled > 0,
            "createdAt": self.created_ms,
            "updatedAt": self.updated_ms or self.created_ms,
            "endAt": self.end_ms,
            "orderTime": self.order_time_ns,
            "settleCurrency": self.spec.settle,
            "marginMode": self.margin_mode,
            "avgDealPrice": _plain(self.avg_deal_price()),
            "filledSize": self.filled,
            "filledValue": deal_value,
            "status": self.status,
            "reduceOnly": self.reduce_only,
        }

    def event(self, kind: str, ts_ns: int, **extra: str) -> dict[str, Any]:
        """A tradeOrders ``data`` payload; every quantity is a string, as KuCoin sends it."""
        data: dict[str, Any] = {
            "symbol": self.symbol,
            "orderType": self.order_type,
            "side": self.side,
            "canceledSize": str(self.canceled),
            "orderId": self.order_id,
            "marginMode": self.margin_mode,
            "type": kind,
            "orderTime": self.order_time_ns,
            "size": str(self.size),
            "filledSize": str(self.filled),
            "price": self.price_text() if self.order_type == "limit" else "",
            "remainSize": str(self.remaining),
            "status": self.status,
            "ts": ts_ns,
            "clientOid": self.client_oid,
            "tradeType": "trade",  # the spec requires it on every event, not only on a match
        }
        data.update(extra)
        return data


def _stop_price(order: SimOrder) -> str | None:
    price = order.stop_price or order.sl_price or order.tp_price
    return None if price is None else str(price)


def _plain(value: Decimal | int) -> str:
    """Decimal text without exponent notation or trailing zeros ("0.0912", not "9.12E-2")."""
    text = f"{Decimal(value).normalize():f}"
    return text if text != "-0" else "0"
