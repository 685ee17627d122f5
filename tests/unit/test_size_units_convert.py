"""Changing the size unit rewrites the number in the new unit at the price (issue 10 item 4):
1000 USDT becomes the lots 1000 USDT buy, never 1000 lots; what cannot convert raises."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pytest

from kcterm.core.contract import Contract
from kcterm.core.size_units import SizeError, convert, from_lots, to_lots
from kcterm.venue.kucoin.market_events import contract_spec


def xbt() -> Contract:
    return Contract.from_spec(
        contract_spec(
            {
                "symbol": "XBTUSDTM",
                "baseCurrency": "XBT",
                "settleCurrency": "USDT",
                "tickSize": 0.1,
                "multiplier": 0.001,
                "lotSize": 1,
                "maxLeverage": 125,
                "maxOrderQty": 1000000,
            }
        )
    )


PRICE = Decimal("91250.3")


def test_usdt_becomes_the_lots_it_buys_and_coins_and_back_keep_them() -> None:
    contract = xbt()
    lots = int((Decimal(1000) / (PRICE * Decimal("0.001"))).to_integral(ROUND_FLOOR))
    assert convert(contract, "usdt", "lots", "1000", PRICE) == str(lots) == "10"
    assert convert(contract, "lots", "coins", "10", PRICE) == "0.01"
    assert convert(contract, "coins", "lots", "0.01", PRICE) == "10"
    as_usdt = convert(contract, "lots", "usdt", "10", PRICE)
    assert Decimal(as_usdt) == 10 * Decimal("0.001") * PRICE
    assert to_lots(contract, "usdt", as_usdt, PRICE) == 10  # read back: the same lots
    assert convert(contract, "usdt", "usdt", "1000", PRICE) == "1000"


@pytest.mark.parametrize(
    ("old", "new", "text", "price", "reason"),
    [
        ("usdt", "lots", "1000", None, "No price yet"),
        ("lots", "usdt", "10", None, "No price yet"),
        ("usdt", "coins", "abc", PRICE, "not a number"),
        ("coins", "lots", "0.0015", PRICE, "not a whole number of lots"),
        ("usdt", "lots", "5", PRICE, "less than one lot"),
    ],
)
def test_what_cannot_convert_says_why(old, new, text, price, reason) -> None:
    with pytest.raises(SizeError, match=reason):
        convert(xbt(), old, new, text, price)


def test_from_lots_refuses_an_unknown_unit() -> None:
    with pytest.raises(SizeError):
        from_lots(xbt(), "bananas", 3, PRICE)
