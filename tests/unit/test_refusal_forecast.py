"""The exchange's post-only and reduce-only refusals, foreseen (issue 10 item 10)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from kcterm.core.contract import Contract
from kcterm.core.positions import Position
from kcterm.core.refusal_forecast import forecast_refusal
from kcterm.core.validation import MarketContext, OrderDraft, validate_order
from kcterm.venue.kucoin.market_events import contract_spec

XBT = Contract.from_spec(contract_spec(
    {"symbol": "XBTUSDTM", "baseCurrency": "XBT", "settleCurrency": "USDT", "tickSize": 0.1,
     "multiplier": 0.001, "maxLeverage": 125}
))  # fmt: skip
MARKET = MarketContext(best_bid=Decimal("100.0"), best_ask=Decimal("100.5"))


def order(side: str, price: str = "", kind: str = "limit", **flags):
    draft = OrderDraft("XBTUSDTM", side, kind, "3", price=price, **flags)
    return validate_order(XBT, draft, MARKET)


def position(qty: int) -> Position:
    return Position(
        symbol="XBTUSDTM", qty=qty, avg_entry=Decimal(100), mark_price=Decimal(100),
        unrealised_pnl=Decimal(0), realised_pnl=Decimal(0), margin=Decimal(1),
        liquidation_price=Decimal(80), leverage=Decimal(5), margin_mode="ISOLATED",
    )  # fmt: skip


def test_post_only_that_would_cross_is_foreseen_and_one_that_rests_is_not() -> None:
    at_ask = forecast_refusal(XBT, order("buy", "100.5", post_only=True), MARKET, None)
    assert at_ask is not None and at_ask.field == "price" and "best ask 100.5" in at_ask.reason
    at_bid = forecast_refusal(XBT, order("sell", "100.0", post_only=True), MARKET, None)
    assert at_bid is not None and "best bid 100.0" in at_bid.reason
    assert forecast_refusal(XBT, order("buy", "100.4", post_only=True), MARKET, None) is None
    assert forecast_refusal(XBT, order("sell", "100.1", post_only=True), MARKET, None) is None
    assert forecast_refusal(XBT, order("buy", "101.0"), MARKET, None) is None  # not post-only


def test_reduce_only_that_would_open_or_grow_is_foreseen() -> None:
    flat = forecast_refusal(XBT, order("sell", kind="market", reduce_only=True), MARKET, None)
    assert (
        flat is not None and flat.field == "reduce_only" and "no XBTUSDTM position" in (flat.reason)
    )
    grow = forecast_refusal(XBT, order("buy", kind="market", reduce_only=True), MARKET, position(4))
    assert grow is not None and "increase your long of 4 lots" in grow.reason
    short = order("sell", "100.4", reduce_only=True)
    assert "increase your short" in forecast_refusal(XBT, short, MARKET, position(-2)).reason
    assert (
        forecast_refusal(XBT, order("sell", "100.4", reduce_only=True), MARKET, position(4)) is None
    )
    close = order("buy", kind="market", close_position=True)
    assert forecast_refusal(XBT, close, MARKET, None).field == "close_position"
    assert forecast_refusal(XBT, close, MARKET, position(-1)) is None


def test_stop_orders_are_left_to_the_exchange() -> None:
    stop = replace(order("sell", kind="market", reduce_only=True), kind="stop_market")
    assert forecast_refusal(XBT, stop, MARKET, None) is None
