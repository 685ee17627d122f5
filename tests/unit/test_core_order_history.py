"""Order history from recentDoneOrders and from the order feed's done events."""

from decimal import Decimal

from kcterm.core.order_history import OrderHistory
from kcterm.core.orders import OpenOrder
from kcterm.venue.kucoin.order_events import order_update


def done_item(oid: str, size: int, filled: int, end: int) -> dict:
    return {
        "id": oid,
        "symbol": "XBTUSDTM",
        "type": "limit",
        "side": "buy",
        "price": "100.5",
        "size": size,
        "filledSize": filled,
        "avgDealPrice": "100.4" if filled else "0",
        "endAt": end,
        "clientOid": "c",
    }


def test_rest_items_newest_first_with_results() -> None:
    history = OrderHistory()
    history.load_recent([done_item("a", 5, 5, 1), done_item("b", 5, 0, 3), done_item("c", 5, 2, 2)])
    assert [o.order_id for o in history.all()] == ["b", "c", "a"]
    assert [o.result for o in history.all()] == ["canceled", "partly filled", "filled"]
    assert history.get("a").avg_price == Decimal("100.4") and history.get("b").avg_price is None


def test_done_event_adds_a_row_once() -> None:
    history = OrderHistory()
    known = OpenOrder("x", "c", "XBTUSDTM", "sell", "limit", Decimal("101"), 4, 1, "open", 0)
    event = {"orderId": "x", "type": "canceled", "status": "done", "ts": 5_000_000_000}
    order = history.on_done_update(order_update(event), known)
    assert order is not None and order.side == "sell" and order.size == 4
    assert order.filled_size == 1 and order.done_ms == 5000
    assert history.on_done_update(order_update(event), known) is None and len(history) == 1


def test_history_is_bounded() -> None:
    history = OrderHistory(maxlen=2)
    history.load_recent([done_item(str(i), 1, 1, i) for i in range(5)])
    assert [o.order_id for o in history.all()] == ["4", "3"]
