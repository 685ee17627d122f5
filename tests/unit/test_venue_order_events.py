"""The KuCoin adapter's order messages as typed values (venue/kucoin/order_events.py): the
spec's own examples read right, and a message that cannot be read is refused by name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.venue.events import OrderEventKind, Side, StopEventKind, Trigger
from kcterm.venue.kucoin.order_events import (
    Unreadable,
    open_orders,
    order_detail,
    order_update,
    stop_order_update,
)

# spec/REFERENCE.md 8.3, "Order events (tradeOrders)", verbatim
OPEN = {"symbol": "XBTUSDTM", "side": "buy", "canceledSize": "0", "orderId": "247899236673269761",
        "liquidity": "maker", "marginMode": "ISOLATED", "type": "open",
        "orderTime": 1731916985768138917, "size": "1", "filledSize": "0", "price": "91670",
        "remainSize": "1", "status": "open", "ts": 1731916985789000000}  # fmt: skip
# spec/REFERENCE.md 8.3, "Stop orders (advancedOrders)", verbatim
STOP = {"createdAt": 1730194206837, "marginMode": "ISOLATED", "orderId": "240673378116083712",
        "orderPrice": "0.1", "orderType": "stop", "side": "buy", "size": 1, "stop": "down",
        "stopPrice": "1000", "stopPriceType": "TP", "symbol": "XBTUSDTM",
        "ts": 1730194206843133000, "type": "open"}  # fmt: skip


def test_the_specs_open_event() -> None:
    update = order_update(OPEN)
    assert update.kind is OrderEventKind.OPEN and update.side is Side.BUY
    assert (update.order_id, update.symbol, update.size, update.filled_size) == (
        "247899236673269761", "XBTUSDTM", 1, 0,
    )  # fmt: skip
    assert update.price == Decimal("91670") and update.remaining_size == 1
    assert update.margin_mode == "ISOLATED" and not update.done
    assert update.order_time_ns == 1731916985768138917 and update.ts_ns == 1731916985789000000


def test_a_match_carries_its_trade_and_a_done_status_ends_the_order() -> None:
    match = order_update(
        OPEN | {"type": "match", "status": "match", "matchPrice": "91670.5", "matchSize": "1",
                "tradeId": "t9", "liquidity": "taker", "filledSize": "1", "remainSize": "0"}
    )  # fmt: skip
    assert match.is_match and match.match_price == Decimal("91670.5") and match.match_size == 1
    assert (match.trade_id, match.liquidity, match.done) == ("t9", "taker", False)
    update = order_update(OPEN | {"type": "update", "status": "done", "oldSize": "3"})
    assert update.kind is OrderEventKind.UPDATE and update.done and update.old_size == 3
    assert order_update(OPEN | {"type": "canceled", "status": "done"}).done
    assert order_update(OPEN | {"type": "match", "tradeType": "liquid"}).liquidation


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"orderId": ""}, "without an orderId"),
        ({"type": "exploded"}, "unknown type"),
        ({"size": "1.5x"}, "not a whole number"),
        ({"filledSize": True}, "a bool"),
        ({"side": "up"}, "side"),
        ({"price": "abc"}, "not a number"),
    ],
)
def test_an_unreadable_order_event_is_refused_with_the_reason(change: dict, why: str) -> None:
    with pytest.raises(Unreadable, match=why):
        order_update(OPEN | change)


def test_the_specs_stop_event_and_its_echoes() -> None:
    update = stop_order_update(STOP)
    assert update.kind is StopEventKind.OPEN and update.stop_direction == "down"
    assert update.stop_price == Decimal("1000") and update.order_price == Decimal("0.1")
    assert update.trigger is Trigger.LAST and update.size == 1  # TP: last trade price
    gone = stop_order_update({"orderId": "s1", "type": "cancel"})  # an echo with its id alone
    assert gone.kind is StopEventKind.CANCELED and gone.side is Side.UNKNOWN
    assert stop_order_update({"orderId": "s1", "type": "triggered"}).kind is StopEventKind.TRIGGERED
    with pytest.raises(Unreadable):
        stop_order_update({"orderId": "s1", "type": "moved"})


def test_rest_lists_skip_what_does_not_rest_and_what_cannot_be_read() -> None:
    items = [
        {"id": "a", "symbol": "XBTUSDTM", "side": "sell", "type": "limit", "price": "100",
         "size": 5, "filledSize": 2, "orderTime": 7, "isActive": True},
        {"id": "b", "symbol": "XBTUSDTM", "side": "buy", "size": 1, "isActive": False},
        {"id": "c", "symbol": "XBTUSDTM", "side": "buy", "size": 1, "stop": "down"},
        {"id": "d", "side": "buy", "size": 1},  # no symbol: logged and skipped
    ]  # fmt: skip
    [order] = open_orders(items)
    assert (order.order_id, order.side, order.remaining, order.price) == ("a", "sell", 3, 100)


def test_an_order_detail_keeps_the_terms_a_modify_needs() -> None:
    detail = order_detail(
        {"id": "o", "symbol": "XBTUSDTM", "side": "buy", "size": 10, "dealSize": 4,
         "isActive": True, "leverage": "7", "marginMode": "CROSS", "timeInForce": "IOC",
         "postOnly": True, "iceberg": True, "visibleSize": 2, "avgDealPrice": "101.5"}
    )  # fmt: skip
    assert (detail.filled_size, detail.active, detail.leverage) == (4, True, Decimal(7))
    assert (detail.margin_mode, detail.time_in_force, detail.post_only) == ("CROSS", "IOC", True)
    assert (detail.iceberg, detail.visible_size, detail.avg_price) == (True, 2, Decimal("101.5"))
    assert (
        order_detail({"id": "o", "symbol": "X", "side": "buy", "leverage": "-2"}).leverage is None
    )
    with pytest.raises(Unreadable, match="id"):
        order_detail({"symbol": "X"})
