"""A resting order's margin reaches the account figures on its order events, before the
exchange's next balance report (issue 10), per KuCoin's order-margin rule (REFERENCE 7.17):
opening lots x price x multiplier / leverage, reducing lots free."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.account import Balances
from kcterm.core.account_summary import summarize
from kcterm.core.order_margin import OrderMargin, OrderTerms
from kcterm.core.orders import OpenOrders
from kcterm.core.positions import Position
from kcterm.venue.kucoin.order_events import order_detail, order_update
from tests.unit.contracts import xbt
from tests.unit.kucoin_values import as_overview, as_wallet

D = Decimal
XBT = xbt()
WALLET = {
    "currency": "USDT",
    "equity": "1000",
    "availableBalance": "1000",
    "isolatedPosMargin": "0",
    "isolatedOrderMargin": "0",
    "isolatedUnPnl": "0",
    "version": "1",
}


def event(kind: str, order_id: str, side: str = "buy", price: str = "50000", size: int = 10,
          filled: int = 0, mode: str = "ISOLATED") -> dict:  # fmt: skip
    return {
        "symbol": "XBTUSDTM", "side": side, "orderId": order_id, "type": kind,
        "orderType": "limit", "price": price, "size": str(size), "filledSize": str(filled),
        "status": "done" if kind in ("canceled", "filled") else "open", "marginMode": mode,
        "orderTime": 1, "ts": 1,
    }  # fmt: skip


class Desk:
    """Balances, open orders and the estimator wired as the Session wires them."""

    def __init__(self, positions: dict[str, Position] | None = None, cross: int | None = None):
        self.orders = OpenOrders()
        self.account = Balances()
        self.positions = positions or {}
        self.margin = OrderMargin(
            self.orders.all, self.positions.get, {"XBTUSDTM": XBT}, lambda _s: cross
        )
        self.account.order_margin = self.margin

    def feed(self, data: dict, terms: OrderTerms | None = None) -> None:
        self.orders.apply_update(order_update(data))
        self.margin.note_update(order_update(data))
        if terms is not None:
            self.margin.note_terms(data["orderId"], terms)

    def summary(self):
        balance = self.account.get("USDT")
        return summarize(balance, [], {"XBTUSDTM": XBT}, self.account.unconfirmed_order_margin())


def test_an_open_order_freezes_margin_until_the_wallet_reports_it_then_a_cancel_frees_it():
    desk = Desk()
    desk.account.apply(as_wallet(WALLET))
    # 10 lots x 0.001 BTC x 50,000 / 10x = 50 USDT
    desk.feed(event("open", "o1"), OrderTerms(leverage=D(10)))
    summary = desk.summary()
    assert summary.available == D(950) and summary.margin_used == D(50)
    # The exchange's own report, which holds the order: the estimate steps aside.
    desk.account.apply(as_wallet({**WALLET, "availableBalance": "950", "isolatedOrderMargin": "50",
                               "version": "2"}))  # fmt: skip
    assert desk.account.unconfirmed_order_margin() == 0
    assert desk.summary().available == D(950)
    desk.feed(event("canceled", "o1"))
    summary = desk.summary()
    assert summary.available == D(1000) and summary.margin_used == D(0)


def test_a_partial_fill_keeps_margin_only_for_the_rest():
    desk = Desk()
    desk.account.apply(as_wallet(WALLET))
    desk.feed(event("open", "o1"), OrderTerms(leverage=D(10)))
    desk.feed(event("match", "o1", filled=4))
    assert desk.account.unconfirmed_order_margin() == D(30)  # 6 lots left


def test_cross_orders_use_the_symbols_cross_leverage():
    desk = Desk(cross=5)
    desk.account.apply(as_wallet(WALLET))
    desk.feed(event("open", "o1", mode="CROSS"))  # no REST detail needed
    assert desk.account.unconfirmed_order_margin() == D(100)


def test_reducing_lots_and_reduce_only_orders_hold_nothing():
    long7 = Position("XBTUSDTM", 7, D(50000), D(50000), D(0), D(0), D(0), D(35), D(10),
                     "ISOLATED")  # fmt: skip
    desk = Desk({"XBTUSDTM": long7})
    desk.account.apply(as_wallet(WALLET))
    desk.feed(event("open", "s1", side="sell"), OrderTerms(leverage=D(10)))
    assert desk.account.unconfirmed_order_margin() == D(15)  # 10 - 7 lots would open a short
    desk.feed(event("open", "s2", side="sell"), OrderTerms(leverage=D(10), reduce_only=True))
    assert desk.account.unconfirmed_order_margin() == D(15)


def test_an_unknown_leverage_stays_out_until_known_and_a_report_in_between_counts_it():
    desk = Desk()
    desk.account.apply(as_wallet(WALLET))
    desk.feed(event("open", "o1"))  # isolated, no position, no detail yet: not guessed
    assert desk.account.unconfirmed_order_margin() == 0
    desk.account.apply(as_wallet({**WALLET, "availableBalance": "950", "version": "2"}))
    desk.margin.note_terms("o1", OrderTerms(leverage=D(10)))
    assert desk.account.unconfirmed_order_margin() == 0  # the report already held it
    desk.feed(event("canceled", "o1"))
    assert desk.account.unconfirmed_order_margin() == D(-50)


def test_the_overview_merge_is_an_exchange_report_too():
    desk = Desk()
    desk.account.apply(as_wallet(WALLET))
    desk.feed(event("open", "o1"), OrderTerms(leverage=D(10)))
    assert desk.account.unconfirmed_order_margin() == D(50)
    overview = {"currency": "USDT", "accountEquity": 1000, "availableBalance": 950,
                "positionMargin": 0, "orderMargin": 50, "unrealisedPNL": 0}  # fmt: skip
    desk.account.merge(as_overview(overview), mark=10**12)  # taken after every event so far
    assert desk.account.unconfirmed_order_margin() == 0


def test_no_exchange_balance_yet_means_no_adjustment():
    desk = Desk()
    desk.feed(event("open", "o1"), OrderTerms(leverage=D(10)))
    assert desk.account.unconfirmed_order_margin() == 0 and desk.summary() is None


def detail(item: dict):
    return order_detail({"id": "o1", "symbol": "XBTUSDTM", "side": "buy", "size": "1", **item})


def test_terms_from_the_order_detail():
    terms = OrderTerms.from_detail(
        detail(
            {"leverage": "20", "reduceOnly": True, "closeOrder": False, "marginMode": "ISOLATED"}
        )
    )
    assert terms == OrderTerms(D(20), True, False, "ISOLATED")
    assert OrderTerms.from_detail(detail({"leverage": "x"})).leverage is None
    assert OrderTerms.from_detail(detail({"leverage": "-3"})).leverage is None
    assert OrderTerms.from_detail(detail({"reduceOnly": "true"})).reduce_only is False


def test_a_wallet_message_that_overtook_the_order_events_is_not_counted_twice():
    desk = Desk()
    desk.account.apply(as_wallet({**WALLET, "timestamp": "1000"}))
    # The exchange's report at t=2000 ms already holds the order opened at t=1500 ms ...
    desk.account.apply(as_wallet({**WALLET, "availableBalance": "950", "version": "2",
                               "timestamp": "2000"}))  # fmt: skip
    # ... whose open event arrives only now.
    desk.feed({**event("open", "o1"), "ts": 1_500_000_000}, OrderTerms(leverage=D(10)))
    assert desk.account.unconfirmed_order_margin() == 0
    assert desk.summary().available == D(950)
    # Likewise a cancel the next report already shows.
    desk.account.apply(as_wallet({**WALLET, "version": "3", "timestamp": "4000"}))
    desk.feed({**event("canceled", "o1"), "ts": 3_000_000_000})
    assert desk.account.unconfirmed_order_margin() == 0
    assert desk.summary().available == D(1000)
    # An event after the last report still counts at once.
    desk.feed({**event("open", "o2"), "ts": 5_000_000_000}, OrderTerms(leverage=D(10)))
    assert desk.account.unconfirmed_order_margin() == D(50)
