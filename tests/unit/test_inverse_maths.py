"""The client's inverse-contract maths (XBTUSDM: 1 USD a lot, margined and settled in XBT),
against figures worked out by hand from KuCoin's formulas (issue 12 item 10):

    value = lots / price XBT;  margin = value / leverage;  fee = value x rate
    long PnL = lots x (1/entry - 1/exit);  short PnL = minus that
    liquidation: long q(1 + mmr) / (M + q/E), short q(1 - mmr) / (q/E - M)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kcterm.core.account import Balances
from kcterm.core.account_summary import summarize
from kcterm.core.contract import Contract
from kcterm.core.order_margin import OrderMargin, OrderTerms
from kcterm.core.orders import OpenOrders
from kcterm.core.positions import Position
from kcterm.core.risk_sizing import size_for_risk
from kcterm.ui.account_bar import money_step
from kcterm.venue.kucoin.market_events import contract_spec
from kcterm.venue.kucoin.order_events import order_update
from tests.unit.contracts import xbt
from tests.unit.kucoin_values import as_wallet

D = Decimal

# XBTUSDM as KuCoin lists it (multiplier published negated).
XBTUSDM_SPEC: dict[str, Any] = {
    "symbol": "XBTUSDM",
    "rootSymbol": "XBT",
    "baseCurrency": "XBT",
    "quoteCurrency": "USD",
    "settleCurrency": "XBT",
    "tickSize": 0.1,
    "lotSize": 1,
    "multiplier": -1.0,
    "maxOrderQty": 10000000,
    "maxPrice": 1000000.0,
    "maxLeverage": 50,
    "makerFeeRate": 0.0002,
    "takerFeeRate": 0.0006,
    "maintainMargin": 0.01,
    "isInverse": True,
}
INV = Contract.from_spec(contract_spec(XBTUSDM_SPEC))


def test_the_contract_reads_kucoins_negative_multiplier_as_one_usd_a_lot() -> None:
    assert INV.is_inverse and INV.multiplier == D(1) and INV.settle_currency == "XBT"
    assert not xbt().is_inverse and xbt().multiplier == D("0.001")
    assert INV.money_places == 8 and xbt().money_places == 2


def test_value_margin_and_fee_are_in_xbt() -> None:
    # 1000 USD at 50,000 is 0.02 XBT; at 10x it needs 0.002 XBT; the taker fee 0.000012 XBT.
    assert INV.value(1000, D(50000)) == D("0.02")
    assert INV.value(1000, D(50000)) / 10 == D("0.002")
    assert INV.value(1000, D(50000)) * INV.taker_fee_rate == D("0.000012")
    # Linear for comparison: 1000 lots x 0.001 x 50,000 = 50,000 USDT.
    assert xbt().value(1000, D(50000)) == D(50000)


def test_pnl_long_and_short() -> None:
    # Long 1000 USD from 50,000 to 55,000: 1000 x (1/50000 - 1/55000) = 1/550 XBT.
    assert round(INV.pnl(1000, D(50000), D(55000)), 15) == D("0.001818181818182")
    # Short 1000 from 50,000 to 40,000: -1000 x (1/50000 - 1/40000) = +0.005 XBT exactly.
    assert INV.pnl(-1000, D(50000), D(40000)) == D("0.005")
    # The same fall costs a long the same 0.005 XBT: inverse PnL is not symmetric in price.
    assert INV.pnl(1000, D(50000), D(40000)) == D("-0.005")
    assert xbt().pnl(10, D(50000), D(51000)) == D(10)


def test_liquidation_prices() -> None:
    margin = D("0.002")  # 1000 USD at 50,000, 10x
    long_liq = INV.liquidation_price(1000, D(50000), margin)
    # 1000 x 1.01 / (0.002 + 0.02) = 45,909.0909...
    assert long_liq is not None and round(long_liq, 4) == D("45909.0909")
    # 1000 x 0.99 / (0.02 - 0.002) = 55,000 exactly.
    assert INV.liquidation_price(-1000, D(50000), margin) == D(55000)
    # A short with more margin than its value is never liquidated.
    assert INV.liquidation_price(-1000, D(50000), D("0.03")) is None
    # Linear long, 10 lots of XBTUSDTM at 50,000 with 50 USDT, mmr 0.004:
    # (500 - 50) / (10 x 0.001 x 0.996) ... on q = 0.01 XBT: (500 - 50) / (0.01 x 0.996).
    linear = xbt(maintainMargin=0.004).liquidation_price(10, D(50000), D(50))
    assert linear is not None and round(linear, 2) == D("45180.72")


def test_order_margin_of_an_inverse_order_is_in_xbt() -> None:
    orders = OpenOrders()
    account = Balances()
    margin = OrderMargin(orders.all, {}.get, {"XBTUSDM": INV}, lambda _s: None)
    account.order_margin = margin
    wallet = {
        "currency": "XBT",
        "equity": "1",
        "availableBalance": "1",
        "isolatedPosMargin": "0",
        "isolatedOrderMargin": "0",
        "isolatedUnPnl": "0",
        "version": "1",
    }
    account.apply(as_wallet(wallet))
    event = {
        "symbol": "XBTUSDM", "side": "buy", "orderId": "o1", "type": "open",
        "orderType": "limit", "price": "50000", "size": "1000", "filledSize": "0",
        "status": "open", "marginMode": "ISOLATED", "orderTime": 1, "ts": 1,
    }  # fmt: skip
    orders.apply_update(order_update(event))
    margin.note_update(order_update(event))
    margin.note_terms("o1", OrderTerms(leverage=D(10)))
    assert account.unconfirmed_order_margin("XBT") == D("0.002")
    assert account.unconfirmed_order_margin("USDT") == 0
    summary = summarize(
        account.get("XBT"), [], {"XBTUSDM": INV}, account.unconfirmed_order_margin("XBT")
    )
    assert summary is not None and summary.available == D("0.998")


def test_cross_risk_of_an_inverse_position_is_its_coin_value_times_mmr() -> None:
    account = Balances()
    account.apply(
        as_wallet(
            {
                "currency": "XBT",
                "equity": "0.1",
                "availableBalance": "0.09",
                "isolatedPosMargin": "0",
                "isolatedOrderMargin": "0",
                "isolatedUnPnl": "0",
                "totalCrossMargin": "0.05",
                "version": "1",
            }
        )
    )
    cross = Position("XBTUSDM", 2000, D(50000), D(40000), D(0), D(0), D(0), D("0.01"), D(5),
                     "CROSS", settle_currency="XBT", is_inverse=True)  # fmt: skip
    summary = summarize(account.get("XBT"), [cross], {"XBTUSDM": INV})
    # Maintenance 2000 / 40,000 x 0.01 = 0.0005 XBT over a cross equity of 0.05: 1 %.
    assert summary is not None and summary.risk_ratio == D("0.01")


def test_risk_sizing_counts_the_coin_loss_per_lot() -> None:
    # A lot loses |1/50000 - 1/40000| = 0.000005 XBT at the stop: 0.01 XBT risks 2000 lots;
    # fees (2000/50000 + 2000/40000) x 0.0006 = 0.000054 XBT.
    sized = size_for_risk(INV, "buy", D(50000), "40000", D("0.01"))
    assert sized.lots == 2000 and sized.actual_risk == D("0.01") and sized.fees == D("0.000054")
    assert "0.01000000 XBT" in sized.describe(INV)


def test_money_shows_satoshis_for_a_coin_wallet() -> None:
    assert money_step("XBT") == D("0.00000001") and money_step("USDT") == D("0.01")
