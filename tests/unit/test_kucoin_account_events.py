"""The KuCoin account adapter: positions, balances, fills and funding as typed venue values;
a malformed item is logged and skipped, never raised, and never hides the good ones."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from kcterm.venue.events import Side
from kcterm.venue.kucoin import account_events as kucoin

D = Decimal
REST_POSITION = {
    "symbol": "XBTUSDTM",
    "currentQty": -3,
    "avgEntryPrice": "60000.5",
    "markPrice": 60100.1,
    "liquidationPrice": "70000",
    "unrealisedPnl": -0.3,
    "realisedPnl": "0",
    "posMargin": "18",
    "leverage": 10,
    "marginMode": "CROSS",
    "settleCurrency": "USDT",
    "delevPercentage": 0.25,
    "isInverse": False,
    "currentTimestamp": 1_700_000_000_000,
}


def test_a_rest_position_becomes_a_position_update_with_every_field() -> None:
    (update,) = kucoin.positions_from_rest([REST_POSITION])
    assert (update.symbol, update.qty, update.cross_margin) == ("XBTUSDTM", -3, True)
    assert update.avg_entry_price == D("60000.5") and update.mark_price == D("60100.1")
    assert update.unrealised_pnl == D("-0.3") and update.leverage == 10
    assert update.adl_rank == D("0.25") and update.ts_ns == 1_700_000_000_000_000_000
    assert update.reports("margin") and update.reports("qty")


def test_a_mark_only_position_change_says_which_fields_it_reports() -> None:
    frame = {
        "subject": "position.change",
        "data": {"symbol": "XBTUSDTM", "markPrice": 61000, "unrealisedPnl": 1},
    }
    update = kucoin.position_frame(frame)
    assert update is not None and update.mark_price == 61000
    assert update.fields == frozenset({"mark_price", "unrealised_pnl"})
    assert not update.reports("qty")
    assert kucoin.position_frame({**frame, "subject": "position.settlement"}) is None


def test_wallet_and_overview_become_balance_updates() -> None:
    wallet = kucoin.balance_from_wallet(
        {
            "currency": "USDT",
            "equity": "1000",
            "availableBalance": "900",
            "isolatedPosMargin": "60",
            "crossPosMargin": "20",
            "isolatedOrderMargin": "15",
            "crossOrderMargin": "5",
            "isolatedUnPnl": "1",
            "crossUnPnl": "-2",
            "totalCrossMargin": "500",
            "version": "7",
            "timestamp": "1700000000000",
        }
    )
    assert wallet is not None
    assert (wallet.position_margin, wallet.order_margin, wallet.unrealised_pnl) == (80, 20, -1)
    assert wallet.cross_equity == 500 and wallet.version == 7
    assert wallet.ts_ns == 1_700_000_000_000_000_000 and wallet.risk_ratio is None
    overview = kucoin.balance_from_overview(
        {"currency": "USDT", "accountEquity": 1000.5, "availableBalance": 900, "riskRatio": 0.1}
    )
    assert overview is not None and overview.equity == D("1000.5")
    assert overview.risk_ratio == D("0.1") and overview.cross_equity is None


def test_rest_fills_carry_their_fee_and_type() -> None:
    fills = kucoin.fills_from_rest(
        [
            {
                "tradeId": "t1",
                "orderId": "o1",
                "symbol": "XBTUSDTM",
                "side": "sell",
                "price": "60000.50",
                "size": 2,
                "fee": "0.072",
                "feeCurrency": "USDT",
                "liquidity": "maker",
                "tradeTime": 1_700_000_000_000_000_000,
                "tradeType": "trade",
            },
            {"tradeId": "t2", "side": "buy", "size": "1", "price": 1,
             "createdAt": 1_700_000_000_000, "tradeType": "liquid", "settleCurrency": "USDT"},
        ]
    )  # fmt: skip
    assert [f.trade_id for f in fills] == ["t1", "t2"]
    first, second = fills
    assert first.side is Side.SELL and str(first.price) == "60000.50" and first.fee == D("0.072")
    assert (first.fee_currency, first.liquidity, first.order_id) == ("USDT", "maker", "o1")
    assert second.fee is None and second.trade_type == "liquid"
    assert second.ts_ns == 1_700_000_000_000_000_000 and second.fee_currency == "USDT"
    page = {"items": [{"tradeId": "t3", "side": "buy", "size": 1, "price": 2}]}
    assert [f.trade_id for f in kucoin.fills_from_rest(page)] == ["t3"]


def test_a_funding_page_becomes_funding_payments() -> None:
    page = {
        "dataList": [
            {
                "id": 7,
                "symbol": "XBTUSDTM",
                "timePoint": 1_700_000_000_000,
                "fundingRate": 0.0001,
                "markPrice": 60000,
                "positionQty": 3,
                "funding": -0.018,
                "settleCurrency": "USDT",
            }
        ],
        "hasMore": False,
    }
    (payment,) = kucoin.funding_from_rest(page)
    assert (payment.payment_id, payment.symbol, payment.position_qty) == ("7", "XBTUSDTM", 3)
    assert payment.amount == D("-0.018") and payment.rate == D("0.0001")
    assert payment.ts_ns == 1_700_000_000_000_000_000 and payment.currency == "USDT"


GOOD_FILL = {"tradeId": "ok", "side": "buy", "size": 1, "price": "1"}


@pytest.mark.parametrize(
    "bad",
    [
        "not an object",
        None,
        {"side": "buy", "size": 1, "price": 1},  # no trade id
        {**GOOD_FILL, "tradeId": "b1", "side": "up"},
        {**GOOD_FILL, "tradeId": "b2", "size": 1.5},  # not whole lots
        {**GOOD_FILL, "tradeId": "b3", "price": "abc"},
        {**GOOD_FILL, "tradeId": "b4", "price": "NaN"},
        {**GOOD_FILL, "tradeId": "b5", "fee": True},
        {**GOOD_FILL, "tradeId": "b6", "tradeTime": "yesterday"},
    ],
)
def test_a_malformed_fill_is_logged_and_skipped(
    bad: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "kcterm.venue.kucoin.account"):
        fills = kucoin.fills_from_rest([bad, GOOD_FILL])
    assert [f.trade_id for f in fills] == ["ok"]
    assert any("fill skipped" in r.getMessage() for r in caplog.records)


def test_malformed_positions_balances_and_funding_are_logged_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, "kcterm.venue.kucoin.account"):
        positions = kucoin.positions_from_rest(
            [{"currentQty": 1}, {"symbol": 5}, {"symbol": "A", "currentQty": "x"}, REST_POSITION]
        )
        assert [p.symbol for p in positions] == ["XBTUSDTM"]
        assert kucoin.position_update([1, 2]) is None
        assert kucoin.balance_from_wallet({"equity": "lots"}) is None
        assert kucoin.balance_from_wallet({"equity": "1", "version": "v2"}) is None
        assert kucoin.balance_from_overview("overview") is None
        assert kucoin.funding_from_rest({"dataList": [{"symbol": "A"}, {"id": 1}]}) == []
        assert kucoin.funding_from_rest("page") == [] and kucoin.fills_from_rest(7) == []
    assert len(caplog.records) >= 9


def test_a_bad_wallet_timestamp_only_makes_the_time_unknown() -> None:
    update = kucoin.balance_from_wallet({"equity": "1", "timestamp": "soon"})
    assert update is not None and update.ts_ns == 0 and update.equity == 1
