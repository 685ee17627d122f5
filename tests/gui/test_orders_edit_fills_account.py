"""Orders edited in place (cancel-and-replace on the exchange), the fills tab with its sound
and tray notice, the account bar, and the live venue's confirmations per action."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QSystemTrayIcon

from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import (
    SYMBOL,
    Answers,
    dispose,
    open_session,
    result_of,
    run,
    trading_ready,
    wait,
)

EDIT = Qt.ItemDataRole.EditRole


def rest_order(window: MainWindow, lots: int = 3, ticks: int = 80) -> str:
    trading_ready(window)
    session = window.session
    price = (
        session.market_data.books[SYMBOL].best_bid()[0]
        - ticks * session.contracts[SYMBOL].tick_size
    )
    order_id = result_of(
        session.trading.place(
            session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", str(lots), str(price)))
        )
    )
    wait(lambda: window.open_orders.model.rowCount() == 1, 10, "the order row")
    return order_id


def test_editing_price_then_size_in_place_replaces_the_order(
    desk: MainWindow, answers: Answers
) -> None:
    old = rest_order(desk)
    model = desk.open_orders.model
    session = desk.session
    price = session.trading.orders.get(old).price
    assert model.index(0, 4).flags() & Qt.ItemFlag.ItemIsEditable
    assert model.data(model.index(0, 5), EDIT) == "3"
    new_price = price - 10
    model.setData(model.index(0, 4), f"{new_price:,}", EDIT)
    wait(
        lambda: old not in session.trading.orders and len(session.trading.orders) == 1,
        10,
        "the new order",
    )
    moved = session.trading.orders.all()[0]
    assert moved.price == new_price and moved.size == 3
    assert answers.asked and answers.asked[0][0] == "Edit order"
    assert result_of(session.adapter.rest.order(old))["isActive"] is False
    assert session.trading.gateway.links[moved.order_id].old_id == old
    wait(lambda: model.rowCount() == 1 and model.order_at(0).order_id == moved.order_id, 5, "row")
    model.setData(model.index(0, 5), "7", EDIT)
    wait(
        lambda: moved.order_id not in session.trading.orders and len(session.trading.orders) == 1,
        10,
        "size",
    )
    resized = session.trading.orders.all()[0]
    assert resized.size == 7 and resized.price == new_price
    assert "replaced by" in desk.open_orders.message_label.text()


def test_a_refused_edit_says_why_and_leaves_the_order(desk: MainWindow, answers: Answers) -> None:
    old = rest_order(desk)
    model = desk.open_orders.model
    model.setData(model.index(0, 4), "12.34", EDIT)
    wait(lambda: "Not changed" in desk.open_orders.message_label.text(), 5, "the reason")
    assert "tick grid" in desk.open_orders.message_label.text()
    model.setData(model.index(0, 5), "2.5", EDIT)
    assert "whole number" in desk.open_orders.message_label.text()
    answers.reply = False
    model.setData(model.index(0, 5), "4", EDIT)
    wait(lambda: "not confirmed" in desk.open_orders.message_label.text(), 5, "declined")
    assert [o.order_id for o in desk.session.trading.orders.all()] == [old]


def test_fills_tab_sound_and_tray(window: MainWindow) -> None:
    trading_ready(window)
    session = window.session
    notifier = window.notifier
    assert notifier.tray is None or QSystemTrayIcon.isSystemTrayAvailable()
    run(session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "2"))))
    fills = window.open_orders.fills_model
    wait(lambda: fills.rowCount() >= 1, 10, "the fill row")
    assert fills.cell(0, 1) == SYMBOL and fills.cell(0, 2) == "BUY"
    assert sum(int(fills.cell(r, 4)) for r in range(fills.rowCount())) == 2
    assert window.open_orders.tabs.tabText(3).startswith("Fills (")
    wait(lambda: notifier.notified, 5, "the fill notice")
    assert notifier.sounds == 1 and "BUY" in notifier.notified[-1]
    window.prefs.set_fill_sound(False)
    run(session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "sell", "market", "2"))))
    wait(lambda: len(notifier.notified) == 2, 10, "the second notice")
    assert notifier.sounds == 1  # turned off: no sound, the notice is still kept


def test_account_bar_shows_the_exchange_balance_and_margin(window: MainWindow) -> None:
    trading_ready(window)
    bar = window.account_bar
    wait(lambda: bar.labels["equity"].text() != "—", 10, "the equity")
    overview = result_of(window.session.adapter.rest.account_overview())
    shown = Decimal(bar.labels["equity"].text().split()[0].replace(",", ""))
    assert abs(shown - Decimal(str(overview["accountEquity"]))) < 1
    assert bar.labels["risk"].text() == "0.00%"
    run(
        window.session.trading.place(
            window.session.trading.prepare(OrderDraft(SYMBOL, "sell", "market", "4"))
        )
    )
    wait(lambda: bar.labels["margin"].text() not in ("0.00", "—"), 10, "margin used")
    assert bar.labels["unrealised"].text()[0] in "+-"


def test_live_venue_asks_before_each_position_action_until_turned_off(
    qloop, exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = open_session(qloop, exchange, venue="live")
    answers = Answers()
    window = MainWindow(
        session, SYMBOL, settings=settings, confirm=lambda r: True, confirm_action=answers
    )
    try:
        trading_ready(window)
        run(
            session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "4")))
        )
        wait(lambda: window.positions.model.rowCount() == 1, 10, "the position")
        answers.reply = False
        window.positions.request("half")
        wait(lambda: len(answers.asked) == 1, 5, "asked")
        assert session.account.positions.get(SYMBOL).qty == 4
        window.prefs.set_asks("close", False)
        window.positions.request("half")
        wait(lambda: session.account.positions.get(SYMBOL).qty == 2, 10, "halved without asking")
        assert len(answers.asked) == 1 and window.prefs.asks("flatten")
    finally:
        qloop.run_until_complete(session.stop())
        dispose(window)
