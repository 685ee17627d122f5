"""Order kinds, flags, size units and fat-finger limits, checked before any request is built."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.core.validation import (
    MarketContext,
    OrderDraft,
    OrderRejected,
    SafetyLimits,
    validate_order,
)
from kcterm.venue.events import Trigger
from kcterm.venue.kucoin.order_body import order_body
from tests.unit.contracts import xbt

XBT = xbt(maintainMargin=0.004)
MARKET = MarketContext(
    last=Decimal("50000.0"),
    mark=Decimal("50010.0"),
    index=Decimal("49990.0"),
    best_bid=Decimal("49999.9"),
    best_ask=Decimal("50000.1"),
)


def draft(**kw: object) -> OrderDraft:
    base: dict[str, object] = {
        "symbol": "XBTUSDTM",
        "side": "buy",
        "order_type": "limit",
        "size": "3",
        "price": "49900.0",
    }
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


def refused(d: OrderDraft, limits: SafetyLimits | None = None) -> OrderRejected:
    with pytest.raises(OrderRejected) as info:
        validate_order(XBT, d, MARKET, limits)
    return info.value


@pytest.mark.parametrize(
    ("side", "stop", "trigger", "code", "direction"),
    [
        ("buy", "50100.0", Trigger.LAST, "TP", "up"),  # a breakout buy above the last price
        ("sell", "49900.0", Trigger.LAST, "TP", "down"),  # a stop-loss sell below it
        ("sell", "50100.0", Trigger.MARK, "MP", "up"),  # a take-profit sell above the mark
        (
            "buy",
            "50000.0",
            Trigger.MARK,
            "MP",
            "down",
        ),  # below the mark 50010 although equal to last
        ("buy", "49995.0", Trigger.INDEX, "IP", "up"),  # above the index 49990
    ],
)
def test_stop_direction_comes_from_the_watched_price(
    side: str, stop: str, trigger: Trigger, code: str, direction: str
) -> None:
    request = validate_order(
        XBT,
        draft(side=side, order_type="stop_market", price="", stop_price=stop, trigger=trigger),
        MARKET,
    )
    body = order_body(request)
    assert body["stop"] == direction and body["stopPriceType"] == code  # KuCoin's letters
    assert body["stopPrice"] == stop and body["type"] == "market" and "price" not in body


def test_stop_limit_carries_both_prices_as_tick_strings() -> None:
    body = order_body(
        validate_order(
            XBT, draft(order_type="stop_limit", price="50,120", stop_price="50110"), MARKET
        )
    )
    assert body["type"] == "limit" and body["price"] == "50120.0"
    assert body["stopPrice"] == "50110.0" and body["stop"] == "up"
    assert body["timeInForce"] == "GTC"


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"stop_price": "50100.05"}, "stop", "tick grid"),
        ({"stop_price": ""}, "stop", "needs a stop price"),
        ({"stop_price": "50000.0"}, "stop", "trigger at once"),
        ({"stop_price": "50100", "trigger": "XX"}, "trigger", "last, mark or index"),
    ],
)
def test_bad_stops_are_refused_naming_the_stop_field(kw: dict, field: str, words: str) -> None:
    rejected = refused(draft(order_type="stop_market", price="", **kw))
    assert rejected.field == field and words in rejected.reason


def test_a_stop_needs_the_price_it_watches() -> None:
    with pytest.raises(OrderRejected) as info:
        validate_order(
            XBT,
            draft(order_type="stop_market", stop_price="50100", trigger=Trigger.INDEX),
            MarketContext(last=Decimal(50000)),
        )
    assert info.value.field == "stop" and "No index price" in info.value.reason


def test_iceberg_sends_its_visible_size_and_hidden_and_post_only_are_flags() -> None:
    body = order_body(validate_order(XBT, draft(size="10", iceberg=True, visible_size="2"), MARKET))
    assert body["iceberg"] is True and body["visibleSize"] == "2"
    body = order_body(validate_order(XBT, draft(hidden=True), MARKET))
    assert body["hidden"] is True and "iceberg" not in body
    body = order_body(validate_order(XBT, draft(post_only=True, reduce_only=True), MARKET))
    assert body["postOnly"] is True and body["reduceOnly"] is True
    body = order_body(validate_order(XBT, draft(time_in_force="IOC"), MARKET))
    assert body["timeInForce"] == "IOC"


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"iceberg": True, "visible_size": ""}, "visible", "needs a visible size"),
        ({"iceberg": True, "visible_size": "3"}, "visible", "smaller than the size"),
        ({"iceberg": True, "visible_size": "1.5"}, "visible", "whole number"),
        ({"iceberg": True, "hidden": True, "visible_size": "1"}, "flags", "hidden or iceberg"),
        ({"post_only": True, "time_in_force": "IOC"}, "flags", "Post-only"),
        ({"order_type": "market", "post_only": True}, "flags", "limit orders only"),
        ({"order_type": "market", "time_in_force": "IOC"}, "flags", "limit orders only"),
        ({"margin_mode": "BOTH"}, "margin", "isolated or cross"),
    ],
)
def test_flag_combinations_the_exchange_refuses_are_refused_here(
    kw: dict, field: str, words: str
) -> None:
    rejected = refused(draft(**kw))
    assert rejected.field == field and words in rejected.reason


def test_close_position_sends_close_order_without_a_size() -> None:
    request = validate_order(
        XBT, draft(order_type="market", price="", size="", close_position=True), MARKET
    )
    body = order_body(request)
    assert body["closeOrder"] is True and "size" not in body and "reduceOnly" not in body
    assert "side" not in body  # the exchange takes it from the position
    assert request.reduce_only and "the position" in request.describe()


@pytest.mark.parametrize(
    ("unit", "text", "lots"),
    [
        ("lots", "12", 12),
        ("coins", "0.012", 12),
        ("usdt", "1000", 20),  # 1000 / (49900 x 0.001) = 20.04: whole lots, rounded down
    ],
)
def test_sizes_in_coins_or_usdt_become_whole_lots(unit: str, text: str, lots: int) -> None:
    request = validate_order(XBT, draft(size=text, size_unit=unit), MARKET)
    assert request.size == lots and order_body(request)["size"] == lots


@pytest.mark.parametrize(
    ("unit", "text", "words"),
    [
        ("coins", "0.0125", "multiple of 0.001"),
        ("usdt", "10", "less than one lot"),
        ("usdt", "", "Enter a size in USDT"),
    ],
)
def test_sizes_that_are_not_whole_lots_are_refused(unit: str, text: str, words: str) -> None:
    rejected = refused(draft(size=text, size_unit=unit))
    assert rejected.field == "size" and words in rejected.reason


def test_a_market_order_in_usdt_is_valued_at_the_touch() -> None:
    request = validate_order(
        XBT, draft(order_type="market", price="", size="1000", size_unit="usdt"), MARKET
    )
    assert request.size == 19  # 1000 / (50000.1 x 0.001) = 19.99


def test_fat_finger_limits_hold_back_a_large_or_far_order() -> None:
    limits = SafetyLimits(max_order_value=Decimal(1000), max_mark_distance_pct=Decimal(5))
    big = refused(draft(size="30"), limits)  # 30 x 0.001 x 49900 = 1497 USDT
    assert big.field == "size" and "above your maximum of 1,000.00" in big.reason
    far = refused(draft(price="40000"), limits)  # 20 % under the mark
    assert far.field == "price" and "% from the mark" in far.reason
    far_stop = refused(draft(order_type="stop_market", price="", stop_price="60000"), limits)
    assert far_stop.field == "stop"
    validate_order(XBT, draft(size="20"), MARKET, limits)  # 998 USDT, 0.2 %: fine


def test_an_order_that_only_reduces_is_never_held_by_the_value_limit() -> None:
    limits = SafetyLimits(max_order_value=Decimal(100))
    validate_order(XBT, draft(size="30", reduce_only=True), MARKET, limits)
    validate_order(XBT, draft(order_type="market", close_position=True), MARKET, limits)
    assert refused(draft(size="30"), limits).field == "size"
