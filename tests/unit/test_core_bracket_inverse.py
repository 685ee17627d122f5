"""Bracket PnL and fees and the order-value limit on an inverse contract (XBTUSDM: 1 USD a lot),
in XBT, against figures worked out by hand: long PnL lots x (1/entry - 1/exit) (issue 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.core.validation import (
    MarketContext,
    OrderDraft,
    OrderRejected,
    SafetyLimits,
    validate_order,
)
from tests.unit.test_inverse_ticket_units import INV

D = Decimal
NANO = D("0.000000001")
MARKET = MarketContext(
    last=D("50000"), mark=D("50000"), best_bid=D("49999.9"), best_ask=D("50000.1")
)


def test_an_inverse_long_brackets_pnl_in_xbt() -> None:
    plan = plan_bracket(
        INV, direction="long", size=1000, entry=D(50000), stop_loss="45000", take_profit="55000"
    )
    tp, sl = plan.pnl_at(INV, plan.take_profit), plan.pnl_at(INV, plan.stop_loss)
    assert tp is not None and sl is not None
    # TP: 1000 x (1/50,000 - 1/55,000) = 0.02 - 0.0181818... = 0.0018181818... XBT
    assert abs(tp - D("0.0018181818")) < NANO
    # SL: 1000 x (1/50,000 - 1/45,000) = 0.02 - 0.0222222... = -0.0022222222... XBT
    assert abs(sl - D("-0.0022222222")) < NANO
    # Fee of the closing market order at the TP: 1000 / 55,000 x 0.0006 = 0.0000109090... XBT
    fee = plan.fees_at(INV, plan.take_profit)
    assert fee is not None and abs(fee - D("0.0000109091")) < NANO


def test_an_inverse_short_brackets_pnl_the_other_way() -> None:
    plan = plan_bracket(
        INV, direction="short", size=1000, entry=D(50000), stop_loss="55000", take_profit="45000"
    )
    tp, sl = plan.pnl_at(INV, plan.take_profit), plan.pnl_at(INV, plan.stop_loss)
    assert tp is not None and sl is not None
    assert abs(tp - D("0.0022222222")) < NANO and abs(sl - D("-0.0018181818")) < NANO


def test_the_value_limit_counts_an_inverse_order_in_xbt() -> None:
    # 1000 USD at 50,000 is 0.02 XBT: above a 0.01 XBT cap, within a 0.03 one.
    draft = OrderDraft(symbol="XBTUSDM", side="buy", order_type="limit", size="1000",
                       price="50000")  # fmt: skip
    validate_order(INV, draft, MARKET, SafetyLimits(max_order_value=D("0.03")))
    with pytest.raises(OrderRejected) as caught:
        validate_order(INV, draft, MARKET, SafetyLimits(max_order_value=D("0.01")))
    assert caught.value.field == "size"
    assert "Order value 0.02000000 XBT is above your maximum of 0.01000000." in str(caught.value)


def test_the_tickets_r_multiple_of_an_inverse_bracket_comes_from_its_pnl() -> None:
    from tests.unit.contracts import xbt

    plan = plan_bracket(
        INV, direction="long", size=1000, entry=D(50000), stop_loss="45000", take_profit="55000"
    )
    # (1/50,000 - 1/55,000) / (1/45,000 - 1/50,000) = 45,000 / 55,000 = 0.8181..., not 1.
    r = plan.reward_over_risk(INV)
    assert r is not None and abs(r - D(45000) / D(55000)) < NANO
    linear = plan_bracket(
        xbt(), direction="long", size=10, entry=D(50000), stop_loss="45000", take_profit="55000"
    )
    assert linear.reward_over_risk(xbt()) == D(1)  # linear: the price distances' ratio
