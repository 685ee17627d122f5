"""Ticket entries are checked against the contract before any request is built."""

from decimal import Decimal

import pytest

from kcterm.core.validation import OrderDraft, OrderRejected, validate_order
from kcterm.venue.kucoin.order_body import order_body
from tests.unit.contracts import xbt

XBT = xbt(buyLimit=90700.7115, sellLimit=82062.5485)


def draft(**kw: object) -> OrderDraft:
    base = {
        "symbol": "XBTUSDTM",
        "side": "buy",
        "order_type": "limit",
        "size": "3",
        "price": "86000.1",
        "leverage": 5,
    }
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


def test_contract_numbers_are_exact_decimals() -> None:
    assert XBT.tick_size == Decimal("0.1")
    assert XBT.multiplier == Decimal("0.001")
    assert XBT.price_places == 1
    assert XBT.format_price(Decimal("86000")) == "86000.0"


def test_valid_limit_order_renders_price_as_a_tick_multiple_string() -> None:
    req = validate_order(XBT, draft(price="86,000.10"))
    body = order_body(req)
    assert body["price"] == "86000.1"
    assert body["size"] == 3 and isinstance(body["size"], int)
    assert body["type"] == "limit" and body["timeInForce"] == "GTC"
    assert 1 <= len(body["clientOid"]) <= 40 and body["clientOid"].isalnum()


def test_market_order_has_no_price() -> None:
    body = order_body(validate_order(XBT, draft(order_type="market", price="")))
    assert "price" not in body and body["type"] == "market"


def test_each_order_gets_a_new_client_oid() -> None:
    assert validate_order(XBT, draft()).client_oid != validate_order(XBT, draft()).client_oid


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"price": "86000.15"}, "price", "tick grid"),
        ({"price": ""}, "price", "needs a price"),
        ({"price": "abc"}, "price", "not a number"),
        ({"price": "-1"}, "price", "above zero"),
        ({"price": "95000"}, "price", "band"),
        ({"side": "sell", "price": "80000"}, "price", "band"),
        ({"size": "0"}, "size", "at least 1"),
        ({"size": "1.5"}, "size", "whole number"),
        ({"size": ""}, "size", "Enter a size"),
        ({"size": "2000000"}, "size", "maximum"),
        ({"size": "NaN"}, "size", "whole number"),
        ({"leverage": 500}, "leverage", "between 1 and 125"),
    ],
)
def test_bad_entries_are_refused_with_the_reason(kw: dict, field: str, words: str) -> None:
    with pytest.raises(OrderRejected) as info:
        validate_order(XBT, draft(**kw))
    assert info.value.field == field
    assert words in info.value.reason
