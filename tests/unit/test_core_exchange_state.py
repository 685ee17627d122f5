"""Positions, balances, stop orders, fills and feed cadence: feed events applied, REST snapshots
merged with every fix reported, and feed events newer than a snapshot kept."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.account import Balances
from kcterm.core.feed_watch import FeedWatch
from kcterm.core.fills import Fills
from kcterm.core.marks import event_mark
from kcterm.core.positions import Positions
from kcterm.core.stop_orders import StopOrders
from kcterm.venue.kucoin.account_events import fills_from_rest
from kcterm.venue.kucoin.order_events import order_update, stop_orders
from kcterm.venue.kucoin.order_events import stop_order_update as stop_update
from tests.unit.kucoin_values import as_overview, as_position, as_positions, as_wallet


def pos(symbol: str, qty: int, entry: str = "100") -> dict:
    return {"symbol": symbol, "currentQty": qty, "avgEntryPrice": entry, "markPrice": entry,
            "posMargin": 10, "leverage": 5, "marginMode": "ISOLATED"}  # fmt: skip


def test_positions_merge_reports_and_fixes_every_difference() -> None:
    positions = Positions()
    positions.apply(as_position(pos("A", 2)))
    positions.apply(as_position(pos("B", -1)))
    mark = event_mark()
    fixes = positions.merge(as_positions([pos("A", 3, "101"), pos("C", 1)]), mark)
    assert fixes == [
        "position A: qty 2 -> 3, avg_entry 100 -> 101",
        "position B closed on the exchange (was -1)",
        "position C missing locally: 1 @ 100",
    ]
    assert {p.symbol: p.qty for p in positions.all()} == {"A": 3, "C": 1}
    assert positions.merge(as_positions([pos("A", 3, "101"), pos("C", 1)]), event_mark()) == []


def test_a_feed_event_newer_than_the_snapshot_is_kept() -> None:
    positions = Positions()
    mark = event_mark()  # the snapshot is requested here...
    positions.apply(as_position(pos("A", 5)))  # ...and the feed reports a fill after it
    assert positions.merge(as_positions([]), mark) == []
    assert positions.get("A") is not None and positions.get("A").qty == 5


def test_a_mark_only_position_event_keeps_the_quantity() -> None:
    positions = Positions()
    positions.apply(as_position(pos("A", 2)))
    positions.apply(as_position({"symbol": "A", "markPrice": 105, "unrealisedPnl": 0.5}))
    position = positions.get("A")
    assert position is not None and (position.qty, position.mark_price) == (2, Decimal(105))


def wallet(available: str, version: int) -> dict:
    return {"currency": "USDT", "availableBalance": available, "equity": "1000",
            "isolatedPosMargin": "10", "isolatedOrderMargin": "5",
            "version": str(version)}  # fmt: skip


def overview(available: float) -> dict:
    return {"currency": "USDT", "availableBalance": available, "accountEquity": 1000.0,
            "positionMargin": 10.0, "orderMargin": 5.0, "unrealisedPNL": 0.0}  # fmt: skip


def test_balances_first_load_then_discrepancies_within_rounding() -> None:
    account = Balances()
    assert (
        account.merge(as_overview(overview(985.0)), event_mark()) == []
    )  # the first one is a load
    account.apply(as_wallet(wallet("985.00000000", 3)))
    assert account.merge(as_overview(overview(985.0000000004)), event_mark()) == []  # rounding only
    assert account.merge(as_overview(overview(990.0)), event_mark()) == [
        "balance USDT: available 985.0000000004 -> 990.0"
    ]
    account.apply(as_wallet(wallet("1.0", 2)))  # older than version 3: dropped
    assert account.get().available == Decimal("990.0")


def test_stop_orders_merge_and_events() -> None:
    stops = StopOrders()
    opened = {"orderId": "s1", "symbol": "A", "side": "buy", "size": 1, "type": "open",
              "stop": "up", "stopPrice": "110", "orderPrice": "0"}  # fmt: skip
    stops.apply_update(stop_update(opened))
    rest_item = {"id": "s2", "symbol": "A", "side": "sell", "size": 2, "stop": "down",
                 "stopPrice": "90", "price": "89"}  # fmt: skip
    assert stops.merge(stop_orders([rest_item]), event_mark()) == [
        "stop order s1 (A) gone on the exchange",
        "stop order s2 (A) missing locally",
    ]
    stops.apply_update(stop_update({"orderId": "s2", "type": "triggered"}))
    assert len(stops) == 0


def test_fills_are_recovered_once() -> None:
    fills = Fills()
    match = {"type": "match", "tradeId": "t1", "orderId": "o", "symbol": "A", "side": "buy",
             "matchPrice": "100", "matchSize": "1", "ts": 5}  # fmt: skip
    fills.on_match(order_update(match))
    rows = [
        {"tradeId": "t2", "orderId": "o", "symbol": "A", "side": "buy", "price": "101",
         "size": 2, "tradeTime": 7, "tradeType": "trade"},
        {"tradeId": "t1", "orderId": "o", "symbol": "A", "side": "buy", "price": "100",
         "size": 1, "tradeTime": 5, "tradeType": "trade"},
    ]  # fmt: skip
    assert [f.trade_id for f in fills.merge_fills(fills_from_rest(rows))] == ["t2"]
    assert fills.merge_fills(fills_from_rest(rows)) == [] and len(fills) == 2


def test_feed_watch_learns_the_cadence() -> None:
    watch = FeedWatch()
    assert watch.stale(0.0)  # nothing received yet
    for i in range(50):
        watch.on_message(i * 0.1)  # ten a second
    last = 4.9
    assert not watch.stale(last + 2.9)
    assert watch.stale(last + 3.1)  # five usual gaps, but at least the 3 s floor
    slow = FeedWatch()
    for i in range(50):
        slow.on_message(i * 4.0)  # one every four seconds
    assert not slow.stale(196 + 15) and slow.stale(196 + 21)


def test_a_book_snapshot_is_data_until_the_stream_speaks() -> None:
    watch = FeedWatch()
    watch.on_snapshot(10.0)  # the REST snapshot, before the stream's first change
    assert watch.silence(10.5) == 0.5 and not watch.stale(12.9)
    assert watch.stale(13.1)  # nothing from the stream since: stale after the floor
    assert watch.cadence_s is None and watch.messages == 0  # it taught no cadence
    for i in range(50):
        watch.on_message(20.0 + i * 0.1)
    cadence = watch.cadence_s
    watch.on_snapshot(30.0)  # a resync's snapshot: the silence counts from it
    assert watch.silence(31.0) == 1.0 and watch.cadence_s == cadence
    assert not watch.stale(32.9) and watch.stale(33.1)
