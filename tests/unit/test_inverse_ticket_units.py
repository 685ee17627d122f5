"""The ticket's size units and previews on an inverse contract (XBTUSDM: 1 USD a lot, settled
in XBT) and a USDC one, against figures worked out by hand (issue 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.core.contract import Contract
from kcterm.core.size_units import SizeError, convert, describe_lots, from_lots, to_lots, unit_name
from kcterm.venue.kucoin.market_events import contract_spec
from tests.unit.contracts import xbt
from tests.unit.test_inverse_maths import XBTUSDM_SPEC

D = Decimal
INV = Contract.from_spec(contract_spec(XBTUSDM_SPEC))
USDC = xbt(symbol="XBTUSDCM", quoteCurrency="USDC", settleCurrency="USDC")


def test_units_are_named_lots_usd_and_the_settle_coin() -> None:
    assert [unit_name(INV, u) for u in ("lots", "coins", "usdt")] == ["lots", "USD", "XBT"]
    assert unit_name(USDC, "usdt") == "USDC" and unit_name(USDC, "coins") == "XBT"


def test_usd_face_is_whole_lots_exactly() -> None:
    assert to_lots(INV, "coins", "250", None) == 250
    assert from_lots(INV, "coins", 250, None) == "250"
    with pytest.raises(SizeError, match=r"2\.5 USD is not a whole number of lots"):
        to_lots(INV, "coins", "2.5", None)


def test_an_xbt_amount_buys_the_whole_usd_lots_it_pays_for() -> None:
    # 0.01 XBT x 50,000 = 500 USD = 500 lots; 0.0100001 XBT is 500.005 USD: still 500.
    assert to_lots(INV, "usdt", "0.01", D(50000)) == 500
    assert to_lots(INV, "usdt", "0.0100001", D(50000)) == 500
    # 0.00001 XBT is 0.5 USD: less than a lot, which is 1/50,000 = 0.00002 XBT.
    with pytest.raises(SizeError, match=r"0\.00001 XBT is less than one lot \(1 lot ≈ 0\.00002000"):
        to_lots(INV, "usdt", "0.00001", D(50000))
    with pytest.raises(SizeError, match="No price yet to turn the XBT value into lots"):
        to_lots(INV, "usdt", "0.01", None)


def test_lots_in_xbt_round_up_so_they_read_back_as_the_same_lots() -> None:
    # 100 / 91,250 = 0.00109589041...: shown 0.0010959, which x 91,250 = 100.000875 USD.
    assert from_lots(INV, "usdt", 100, D(91250)) == "0.0010959"
    assert to_lots(INV, "usdt", "0.0010959", D(91250)) == 100
    assert convert(INV, "coins", "usdt", "100", D(91250)) == "0.0010959"
    assert convert(INV, "usdt", "lots", "0.0010959", D(91250)) == "100"
    with pytest.raises(SizeError, match="No price yet to value the size in XBT"):
        from_lots(INV, "usdt", 100, None)


def test_describe_lots_shows_usd_face_and_xbt_value() -> None:
    assert describe_lots(INV, 100, D(91250)) == "100 lots = 100 USD ≈ 0.00109589 XBT"
    assert describe_lots(INV, 1, None) == "1 lot = 1 USD"
    # Linear is unchanged: 12 x 0.001 x 91,222.5 = 1,094.67 USDT.
    assert describe_lots(xbt(), 12, D("91222.5")) == "12 lots = 0.012 XBT ≈ 1,094.67 USDT"


def test_usdc_contract_says_usdc_never_usdt() -> None:
    # 1 lot of XBTUSDCM at 50,000 is 0.001 x 50,000 = 50 USDC; 10 USDC buys none.
    with pytest.raises(SizeError, match=r"10 USDC is less than one lot \(1 lot ≈ 50.00 USDC"):
        to_lots(USDC, "usdt", "10", D(50000))
    assert to_lots(USDC, "usdt", "120", D(50000)) == 2
    assert describe_lots(USDC, 2, D(50000)) == "2 lots = 0.002 XBT ≈ 100.00 USDC"
