"""OpenOrders follows the tradeOrders event types of spec/REFERENCE.md 8.3."""

from decimal import Decimal

from kcterm.core.orders import OpenOrders
from kcterm.venue.kucoin.order_events import open_orders, order_update


def event(kind: str, status: str, **kw: str) -> dict:
    data = {
        "symbol": "XBTUSDTM",
        "side": "buy",
        "orderId": "1",
        "clientOid": "c1",
        "orderType": "limit",
        "type": kind,
        "status": status,
        "size": "5",
        "filledSize": "0",
        "price": "91670",
        "remainSize": "5",
        "orderTime": "1731916985768138917",
        "ts": "1731916985789000000",
    }
    data.update(kw)
    return data


def test_open_match_filled_lifecycle() -> None:
    orders = OpenOrders()
    orders.apply_update(order_update(event("open", "open")))
    assert orders.get("1").price == Decimal("91670")
    orders.apply_update(order_update(event("match", "open", filledSize="2", matchSize="2")))
    assert orders.get("1").filled_size == 2 and orders.get("1").remaining == 3
    orders.apply_update(order_update(event("filled", "done", filledSize="5")))
    assert "1" not in orders


def test_canceled_and_update_events() -> None:
    orders = OpenOrders()
    orders.apply_update(order_update(event("open", "open")))
    orders.apply_update(order_update(event("update", "open", size="3", oldSize="5")))
    assert orders.get("1").size == 3
    v = orders.version
    orders.apply_update(order_update(event("canceled", "done")))
    assert len(orders) == 0 and orders.version > v


def test_market_orders_never_rest() -> None:
    orders = OpenOrders()
    orders.apply_update(order_update(event("match", "match", orderType="market", orderId="9")))
    assert "9" not in orders


def test_load_active_replaces_the_table() -> None:
    orders = OpenOrders()
    orders.apply_update(order_update(event("open", "open", orderId="old")))
    orders.load_active(
        open_orders(
            [
                {
                    "id": "2",
                    "symbol": "ETHUSDTM",
                    "side": "sell",
                    "type": "limit",
                    "price": "3000.01",
                    "size": 4,
                    "filledSize": 1,
                    "clientOid": "x",
                    "isActive": True,
                    "stop": "",
                    "orderTime": 5,
                }
            ]
        )
    )
    assert [o.order_id for o in orders.all()] == ["2"]
    assert orders.get("2").filled_size == 1
