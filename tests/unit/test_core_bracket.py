"""TP/SL brackets: the st-order body, levels on the right side, PnL and R; which stops protect a
position; risk-based sizing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.core.protection import BracketBook, describe_levels, levels_for
from kcterm.core.risk_sizing import risk_amount, size_for_risk
from kcterm.core.stop_orders import StopOrder
from kcterm.core.validation import OrderRejected
from kcterm.venue.events import Trigger
from kcterm.venue.kucoin.order_body import bracket_body
from tests.unit.test_core_order_kinds import XBT

D = Decimal


def long_plan(sl: str = "49000", tp: str = "53000", **kw: object):
    base: dict[str, object] = {
        "direction": "long",
        "size": 10,
        "entry": D(50000),
        "stop_loss": sl,
        "take_profit": tp,
        "trigger": Trigger.MARK,
        "watched": D(50100),
    }
    base.update(kw)
    return plan_bracket(XBT, **base)  # type: ignore[arg-type]


def test_a_long_takes_profit_on_the_way_up_and_stops_on_the_way_down() -> None:
    plan = long_plan()
    body = bracket_body(plan.order(XBT, "cid"))
    assert body["side"] == "sell" and body["type"] == "market"
    assert body["triggerStopUpPrice"] == "53000.0" and body["triggerStopDownPrice"] == "49000.0"
    assert body["stopPriceType"] == "MP" and body["reduceOnly"] is True and body["size"] == 10
    assert "stop" not in body and "closeOrder" not in body


def test_a_short_is_the_other_way_round_and_close_whole_sends_close_order() -> None:
    plan = plan_bracket(
        XBT,
        direction="short",
        size=10,
        entry=D(50000),
        stop_loss="51000",
        take_profit="47000",
        trigger=Trigger.LAST,
        watched=D(49950),
        close_whole=True,
    )
    body = bracket_body(plan.order(XBT))
    assert body["side"] == "buy" and body["closeOrder"] is True and "size" not in body
    assert body["triggerStopUpPrice"] == "51000.0"  # the stop-loss of a short
    assert body["triggerStopDownPrice"] == "47000.0"  # its take-profit
    assert plan.reward_over_risk(XBT) == D(3)
    assert plan.pnl_at(XBT, plan.take_profit) == D(30)  # 0.01 XBT x 3,000
    assert plan.pnl_at(XBT, plan.stop_loss) == D(-10)


def test_pnl_and_r_multiple_at_each_level() -> None:
    plan = long_plan("49500", "51500")
    assert plan.pnl_at(XBT, plan.stop_loss) == D(-5)
    assert plan.pnl_at(XBT, plan.take_profit) == D(15)
    assert plan.reward_over_risk(XBT) == D(3)
    assert plan.fees_at(XBT, plan.take_profit) == D("0.01") * D(51500) * XBT.taker_fee_rate
    assert (
        long_plan(tp="").reward_over_risk(XBT) is None
        and bracket_body(long_plan(tp="").order(XBT)).get("triggerStopUpPrice") is None
    )


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"sl": "50200"}, "sl", "below the mark price 50100.0"),
        ({"tp": "50050"}, "tp", "above the mark price"),
        ({"sl": "49000.05"}, "sl", "tick grid"),
        ({"sl": "", "tp": ""}, "sl", "Give a stop-loss"),
        ({"tp": "abc"}, "tp", "not a number"),
        ({"trigger": "XX"}, "trigger", "last, mark or index"),
        ({"size": 0}, "size", "at least 1 lot"),
    ],
)
def test_levels_on_the_wrong_side_are_refused(kw: dict, field: str, words: str) -> None:
    kw = dict(kw)
    sl, tp = kw.pop("sl", "49000"), kw.pop("tp", "53000")
    with pytest.raises(OrderRejected) as info:
        long_plan(sl, tp, **kw)
    assert info.value.field == field and words in info.value.reason


def test_without_a_watched_price_the_entry_decides() -> None:
    with pytest.raises(OrderRejected) as info:
        long_plan("50001", "53000", watched=None)
    assert "below the entry price" in info.value.reason


def stop(
    order_id: str, side: str, direction: str, price: str, trigger: Trigger = Trigger.MARK
) -> StopOrder:
    return StopOrder(order_id, "XBTUSDTM", side, 0, direction, D(price), D(0), trigger)


def test_known_brackets_show_both_levels_and_other_stops_are_read_by_direction() -> None:
    book = BracketBook()
    book.add("st1", long_plan())
    stops = [
        stop("st1", "sell", "down", "49000"),  # the exchange shows the st-order's SL only
        stop("s2", "sell", "up", "55000", Trigger.LAST),  # a sell above a long: take-profit
        stop("s3", "sell", "down", "48000"),  # a sell below a long: stop-loss
        stop("s4", "buy", "up", "56000"),  # a buy stop adds to a long: not protection
    ]
    levels = levels_for("XBTUSDTM", 10, stops, book)
    assert [(lv.order_id, lv.kind, lv.price) for lv in levels] == [
        ("s3", "SL", D(48000)),
        ("st1", "SL", D(49000)),
        ("st1", "TP", D(53000)),
        ("s2", "TP", D(55000)),
    ]
    short = levels_for("XBTUSDTM", -5, [stop("s5", "buy", "up", "52000")], BracketBook())
    assert [(lv.kind, lv.price) for lv in short] == [("SL", D(52000))]
    assert levels_for("XBTUSDTM", 0, stops[1:], book) == []  # flat: anonymous stops say nothing
    assert describe_levels(levels[:1], lambda p: f"{p:,}") == "SL 48,000"
    book.forget("st1")
    assert book.get("st1") is None


def test_risk_sizing_rounds_down_to_the_lot_and_never_risks_more() -> None:
    # 1 % of 10,000 = 100 USDT; a lot loses 0.001 x 300 = 0.3 at the stop: 333.33 -> 333 lots
    amount = risk_amount("1", "pct", D(10000))
    result = size_for_risk(XBT, "buy", D(50000), "49700", amount)
    assert result.lots == 333 and result.actual_risk == D("99.9") <= amount
    short = size_for_risk(XBT, "sell", D(50000), "50,500", risk_amount("50", "amount", None))
    assert short.lots == 100 and short.actual_risk == D(50)


@pytest.mark.parametrize(
    ("side", "stop_text", "amount", "field", "words"),
    [
        ("buy", "50100", "10", "risk_stop", "below the entry"),
        ("sell", "49900", "10", "risk_stop", "above the entry"),
        ("buy", "49999.95", "10", "risk_stop", "tick grid"),
        ("buy", "49000", "0.5", "risk", "less than one lot"),
        ("buy", "", "10", "risk_stop", "Enter a stop price"),
    ],
)
def test_risk_sizing_refusals(
    side: str, stop_text: str, amount: str, field: str, words: str
) -> None:
    with pytest.raises(OrderRejected) as info:
        size_for_risk(XBT, side, D(50000), stop_text, D(amount))
    assert info.value.field == field and words in info.value.reason


def test_risk_amount_needs_equity_for_a_percentage() -> None:
    with pytest.raises(OrderRejected, match="No account equity"):
        risk_amount("1", "pct", None)
    with pytest.raises(OrderRejected, match="more than 100%"):
        risk_amount("150", "pct", D(1000))
    assert risk_amount("2.5%", "pct", D(1000)) == D(25)
