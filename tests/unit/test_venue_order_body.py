"""The KuCoin adapter's outbound order path, without a network: a typed order becomes exactly the
body spec/REFERENCE.md 7.9 / 7.10 names, flag by flag; a place or batch reply becomes an order
id, a refusal of the kind its code names, or an *unknown outcome* (ambiguous) when the reply
cannot tell whether the order exists."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.core.validation import validate_order
from kcterm.venue.errors import ErrorKind, VenueError
from kcterm.venue.events import Trigger
from kcterm.venue.kucoin.order_body import bracket_body, order_body
from kcterm.venue.kucoin.orders import batch_results, placed_id
from tests.order_terms import limit_order, market_order
from tests.unit.test_core_order_kinds import MARKET, XBT, draft

BASE = {"clientOid": "c1", "symbol": "XBTUSDTM", "leverage": 5, "marginMode": "ISOLATED"}


def test_a_limit_order_is_exactly_its_body() -> None:
    order = limit_order("c1", "XBTUSDTM", "buy", Decimal("49900.5"), 3)
    assert order_body(order) == {
        **BASE, "side": "buy", "type": "limit", "size": 3, "price": "49900.5",
        "timeInForce": "GTC",
    }  # fmt: skip


def test_a_market_order_has_no_price_and_no_time_in_force() -> None:
    assert order_body(market_order("c1", "XBTUSDTM", "sell", 2)) == {
        **BASE, "side": "sell", "type": "market", "size": 2,
    }  # fmt: skip


def test_a_stop_limit_carries_its_direction_price_and_trigger() -> None:
    request = validate_order(
        XBT,
        draft(order_type="stop_limit", price="50120", stop_price="50110", trigger=Trigger.MARK),
        MARKET,
    )
    assert order_body(request) == {
        "clientOid": request.client_oid, "symbol": "XBTUSDTM", "side": "buy", "leverage": 5,
        "marginMode": "ISOLATED", "type": "limit", "size": 3, "price": "50120.0",
        "timeInForce": "GTC", "stop": "up", "stopPrice": "50110.0", "stopPriceType": "MP",
    }  # fmt: skip


def test_a_stop_market_has_a_trigger_and_no_price() -> None:
    request = validate_order(
        XBT, draft(side="sell", order_type="stop_market", price="", stop_price="49000"), MARKET
    )
    body = order_body(request)
    assert (body["type"], body["stop"], body["stopPrice"], body["stopPriceType"]) == (
        "market", "down", "49000.0", "TP",
    )  # fmt: skip
    assert "price" not in body and "timeInForce" not in body


@pytest.mark.parametrize(
    ("terms", "extra"),
    [
        ({"post_only": True}, {"postOnly": True}),
        ({"reduce_only": True}, {"reduceOnly": True}),
        ({"hidden": True}, {"hidden": True}),
        ({"iceberg": True, "visible_size": 2}, {"iceberg": True, "visibleSize": "2"}),
        ({"time_in_force": "IOC"}, {"timeInForce": "IOC"}),
        ({"margin_mode": "CROSS"}, {"marginMode": "CROSS"}),
    ],
)
def test_every_flag_is_its_field_and_nothing_else(terms: dict[str, object], extra: dict) -> None:
    plain = limit_order("c1", "XBTUSDTM", "buy", Decimal(100), 5)
    flagged = replace(plain, **terms)  # type: ignore[arg-type]
    assert order_body(flagged) == {**order_body(plain), **extra}


def test_an_unset_flag_is_left_out_not_sent_false() -> None:
    body = order_body(limit_order("c1", "XBTUSDTM", "buy", Decimal(100)))
    assert not {"postOnly", "reduceOnly", "hidden", "iceberg", "visibleSize", "closeOrder"} & set(
        body
    )


def test_closing_the_position_sends_close_order_without_side_size_or_reduce_only() -> None:
    order = market_order("c1", "XBTUSDTM", "sell", 0, close_order=True, reduce_only=True)
    assert order_body(order) == {**BASE, "type": "market", "closeOrder": True}


def test_a_bracket_for_an_entry_is_reduce_only_with_its_size_and_both_triggers() -> None:
    plan = plan_bracket(
        XBT, direction="long", size=10, entry=Decimal(50000), stop_loss="49000",
        take_profit="53000", trigger=Trigger.MARK, watched=Decimal(50100),
    )  # fmt: skip
    assert bracket_body(plan.order(XBT, "b1")) == {
        "clientOid": "b1", "symbol": "XBTUSDTM", "side": "sell", "type": "market",
        "leverage": 1, "marginMode": "ISOLATED", "stopPriceType": "MP", "size": 10,
        "reduceOnly": True, "triggerStopUpPrice": "53000.0", "triggerStopDownPrice": "49000.0",
    }  # fmt: skip


def test_a_bracket_for_a_whole_short_closes_it_with_one_trigger() -> None:
    plan = plan_bracket(
        XBT, direction="short", size=4, entry=Decimal(50000), stop_loss="51000",
        take_profit="", trigger=Trigger.LAST, close_whole=True, margin_mode="CROSS",
    )  # fmt: skip
    assert bracket_body(plan.order(XBT, "b2")) == {
        "clientOid": "b2", "symbol": "XBTUSDTM", "side": "buy", "type": "market",
        "leverage": 1, "marginMode": "CROSS", "stopPriceType": "TP", "closeOrder": True,
        "triggerStopUpPrice": "51000.0",  # a short's stop-loss fires on the way up
    }  # fmt: skip


def test_a_bracket_that_could_open_a_position_is_never_written() -> None:
    plan = plan_bracket(
        XBT, direction="long", size=1, entry=Decimal(50000), stop_loss="49000", take_profit=""
    )
    opening = replace(plan.order(XBT), reduce_only=False, close_order=False)
    with pytest.raises(ValueError, match="reduce-only or close"):
        bracket_body(opening)


# -- replies ---------------------------------------------------------------------------------


def test_a_place_reply_gives_the_order_id() -> None:
    assert placed_id({"orderId": "123", "clientOid": "c1"}, "/api/v1/orders") == "123"


@pytest.mark.parametrize("reply", [{}, {"orderId": ""}, None, [], "ok"])
def test_a_place_reply_without_an_order_id_is_an_unknown_outcome(reply: object) -> None:
    with pytest.raises(VenueError) as info:
        placed_id(reply, "/api/v1/orders")
    assert info.value.ambiguous and info.value.kind is ErrorKind.UNAVAILABLE


def test_a_batch_reply_is_read_order_by_order() -> None:
    replies = [
        {"orderId": "1", "clientOid": "a", "code": "200000", "msg": ""},
        {"orderId": "", "clientOid": "b", "code": "300003", "msg": "balance insufficient"},
        {"clientOid": "c", "code": "300018", "msg": "clientOid duplicated"},
        {"orderId": "", "clientOid": "d", "code": "200000"},  # a success with no id
        "garbage",
        {"orderId": "6", "clientOid": "f"},  # no code at all, but an id: placed
    ]
    results = batch_results(replies, 6)
    assert results[0] == "1" and results[5] == "6"
    refused, duplicate, no_id, garbage = results[1:5]
    assert isinstance(refused, VenueError) and refused.kind is ErrorKind.INSUFFICIENT_FUNDS
    assert (refused.code, refused.msg, refused.ambiguous) == (
        "300003",
        "balance insufficient",
        False,
    )
    assert isinstance(duplicate, VenueError) and duplicate.kind is ErrorKind.DUPLICATE
    for unknown in (no_id, garbage):  # the gateway settles these one by one
        assert isinstance(unknown, VenueError) and unknown.ambiguous


def test_a_batch_reply_that_does_not_pair_with_the_orders_is_unknown_for_all() -> None:
    with pytest.raises(VenueError) as info:
        batch_results([{"orderId": "1", "code": "200000"}], 2)
    assert info.value.ambiguous
