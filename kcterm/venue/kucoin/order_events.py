"""KuCoin's order messages turned into the venue's typed values (kcterm.venue.events): the
private order feed (tradeOrders, spec/REFERENCE.md 8.3 "Order events"), the stop-order feed
(advancedOrders) and the REST order lists. The one place that reads their field names.

A message that cannot be read (no order id, a size that is not a number) is logged and
dropped: it never reaches the state above, and it never stops the feed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kcterm.venue.events import (
    OpenOrder,
    OrderDetail,
    OrderEventKind,
    OrderUpdate,
    Side,
    StopEventKind,
    StopOrder,
    StopOrderUpdate,
    Trigger,
)

log = logging.getLogger("kcterm.venue.kucoin.orders")

# stopPriceType (spec/REFERENCE.md 7.9): the price a stop watches, in KuCoin's letters.
KUCOIN_TRIGGERS: dict[str, Trigger] = {"TP": Trigger.LAST, "MP": Trigger.MARK, "IP": Trigger.INDEX}
TRIGGER_CODES: dict[Trigger, str] = {trigger: code for code, trigger in KUCOIN_TRIGGERS.items()}


def trigger_of(code: object) -> Trigger | None:
    """KuCoin's stopPriceType as core's Trigger; None when absent or unknown."""
    return KUCOIN_TRIGGERS.get(str(code or ""))


_KINDS = {kind.value: kind for kind in OrderEventKind}
_STOP_KINDS = {
    "open": StopEventKind.OPEN,
    "triggered": StopEventKind.TRIGGERED,
    "cancel": StopEventKind.CANCELED,
    "canceled": StopEventKind.CANCELED,
}


class Unreadable(ValueError):
    """A message or item kcterm cannot make sense of (logged and skipped by the caller)."""


def _side(value: Any) -> Side:
    if value is None or value == "":
        return Side.UNKNOWN
    try:
        return Side(str(value))
    except ValueError:
        raise Unreadable(f"side {value!r}") from None


def _int(value: Any, default: int | None = 0) -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise Unreadable(f"a bool where a number belongs: {value!r}")
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise Unreadable(f"not a whole number: {value!r}") from None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Unreadable(f"not a number: {value!r}") from None
    return number if number.is_finite() else None


def order_update(data: Mapping[str, Any]) -> OrderUpdate:
    """One tradeOrders `data` payload. Raises Unreadable for a payload without the basics."""
    order_id = str(data.get("orderId") or "")
    if not order_id:
        raise Unreadable("order event without an orderId")
    kind = _KINDS.get(str(data.get("type") or ""))
    if kind is None:
        raise Unreadable(f"order event of unknown type {data.get('type')!r}")
    status = str(data.get("status") or "")
    size = _int(data.get("size"), None)
    filled = _int(data.get("filledSize")) or 0
    remaining = _int(data.get("remainSize"), None)
    if remaining is None:
        remaining = max((size or 0) - filled, 0)
    return OrderUpdate(
        kind=kind,
        order_id=order_id,
        client_oid=str(data.get("clientOid") or ""),
        symbol=str(data.get("symbol") or ""),
        side=_side(data.get("side")),
        order_type=str(data.get("orderType") or "limit"),
        price=_decimal(data.get("price")) or None,  # "0" on a market order: no price
        size=size,
        filled_size=filled,
        remaining_size=remaining,
        done=status == "done" or kind in (OrderEventKind.FILLED, OrderEventKind.CANCELED),
        ts_ns=_int(data.get("ts")) or 0,
        status=status,
        order_time_ns=_int(data.get("orderTime")) or 0,
        margin_mode=str(data.get("marginMode") or ""),
        match_price=_decimal(data.get("matchPrice")),
        match_size=_int(data.get("matchSize")) or 0,
        trade_id=str(data.get("tradeId") or ""),
        liquidity=str(data.get("liquidity") or ""),
        old_size=_int(data.get("oldSize"), None),
        liquidation=data.get("tradeType") == "liquid",
    )


def stop_order_update(data: Mapping[str, Any]) -> StopOrderUpdate:
    """One advancedOrders `data` payload."""
    order_id = str(data.get("orderId") or "")
    if not order_id:
        raise Unreadable("stop-order event without an orderId")
    kind = _STOP_KINDS.get(str(data.get("type") or ""))
    if kind is None:
        raise Unreadable(f"stop-order event of unknown type {data.get('type')!r}")
    return StopOrderUpdate(
        kind=kind,
        order_id=order_id,
        symbol=str(data.get("symbol") or ""),
        side=_side(data.get("side")),
        order_type=str(data.get("orderType") or ""),
        size=_int(data.get("size")) or 0,
        stop_price=_decimal(data.get("stopPrice")) or Decimal(0),
        stop_direction=str(data.get("stop") or ""),
        trigger=trigger_of(data.get("stopPriceType")),
        ts_ns=_int(data.get("ts")) or 0,
        order_price=_decimal(data.get("orderPrice")) or Decimal(0),
        error=str(data.get("error") or ""),
        reduce_only=data.get("reduceOnly") is True,
        close_order=data.get("closeOrder") is True,
    )


def open_orders(items: Iterable[Mapping[str, Any]]) -> list[OpenOrder]:
    """GET /api/v1/orders?status=active items (spec/REFERENCE.md 7.13) that rest on the book:
    stop orders waiting for their trigger are listed by /api/v1/stopOrders instead."""
    orders = []
    for item in items:
        if not item.get("isActive", True) or item.get("stop"):
            continue
        try:
            orders.append(
                OpenOrder(
                    order_id=str(item["id"]),
                    client_oid=str(item.get("clientOid") or ""),
                    symbol=str(item["symbol"]),
                    side=_side(item["side"]).value,
                    order_type=str(item.get("type") or "limit"),
                    price=_decimal(item.get("price")) or Decimal(0),
                    size=_int(item["size"]) or 0,
                    filled_size=_int(item.get("filledSize") or item.get("dealSize")) or 0,
                    status="open",
                    order_time_ns=_int(item.get("orderTime")) or 0,
                    reduce_only=item.get("reduceOnly") is True,
                    close_order=item.get("closeOrder") is True,
                )
            )
        except (KeyError, Unreadable) as exc:
            log.warning("active order skipped, unreadable (%s): %r", exc, item)
    return orders


def order_detail(item: Mapping[str, Any]) -> OrderDetail:
    """GET /api/v1/orders/{orderId} (spec/REFERENCE.md 7.13). Raises Unreadable without an
    id, a symbol or a size."""
    try:
        order_id, symbol = str(item["id"]), str(item["symbol"])
    except KeyError as exc:
        raise Unreadable(f"order without {exc}") from None
    try:  # a leverage that is not a positive number is unknown, not a reason to drop the order
        leverage = _decimal(item.get("leverage"))
    except Unreadable:
        leverage = None
    if leverage is not None and leverage <= 0:
        leverage = None
    end_ms = _int(item.get("endAt") or item.get("updatedAt")) or 0
    return OrderDetail(
        order_id=order_id,
        client_oid=str(item.get("clientOid") or ""),
        symbol=symbol,
        side=_side(item.get("side")),
        order_type=str(item.get("type") or "limit"),
        price=_decimal(item.get("price")) or None,
        size=_int(item.get("size")) or 0,
        filled_size=_int(item.get("filledSize") or item.get("dealSize")) or 0,
        active=item.get("isActive") is True,
        leverage=leverage,
        margin_mode=str(item.get("marginMode") or ""),
        time_in_force=str(item.get("timeInForce") or "GTC"),
        post_only=item.get("postOnly") is True,
        reduce_only=item.get("reduceOnly") is True,
        close_order=item.get("closeOrder") is True,
        hidden=item.get("hidden") is True,
        iceberg=item.get("iceberg") is True,
        visible_size=_int(item.get("visibleSize")) or 0,
        avg_price=_decimal(item.get("avgDealPrice")) or None,
        end_ns=end_ms * 1_000_000,
    )


def order_details(items: Iterable[Mapping[str, Any]]) -> list[OrderDetail]:
    """A REST list of orders (recentDoneOrders, done orders) as OrderDetail; an item that
    cannot be read is logged and skipped."""
    details = []
    for item in items:
        try:
            details.append(order_detail(item))
        except Unreadable as exc:
            log.warning("order skipped, unreadable (%s): %r", exc, item)
    return details


def stop_orders(items: Iterable[Mapping[str, Any]]) -> list[StopOrder]:
    """GET /api/v1/stopOrders items (spec/REFERENCE.md 7.13): the untriggered stop orders."""
    stops = []
    for item in items:
        try:
            stops.append(
                StopOrder(
                    order_id=str(item["id"]),
                    symbol=str(item["symbol"]),
                    side=_side(item["side"]).value,
                    size=_int(item.get("size")) or 0,
                    stop=str(item.get("stop") or ""),
                    stop_price=_decimal(item.get("stopPrice")) or Decimal(0),
                    price=_decimal(item.get("price")) or Decimal(0),
                    trigger=trigger_of(item.get("stopPriceType")),
                    reduce_only=item.get("reduceOnly") is True,
                    close_order=item.get("closeOrder") is True,
                )
            )
        except (KeyError, Unreadable) as exc:
            log.warning("stop order skipped, unreadable (%s): %r", exc, item)
    return stops
