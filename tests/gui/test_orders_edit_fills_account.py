"""Orders edited in place (cancel-and-replace on the exchange), the fills tab with its sound
and tray notice, the account bar, and the live venue's confirmations per action."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QSystemTrayIcon

from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, Answers, dispose, open_session, trading_ready, until
from tests.gui.far_prices import resting_bid

EDIT = Qt.ItemDataRole.EditRole


async def rest_order(window: MainWindow, lots: int = 3) -> str:
    await trading_ready(window)
    session = window.session
    price = resting_bid(session, SYMBOL)
    order_id = await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", str(lots), str(price)))
    )
    await until(lambda: window.open_orders.model.rowCount() == 1, 10, "the order row")
    return order_id


async def test_editing_price_then_size_in_place_replaces_the_order(
    desk: MainWindow, answers: Answers
) -> None:
    old = await rest_order(desk)
    model = desk.open_orders.model
    session = desk.session
    price = session.trading.orders.get(old).price
    assert model.index(0, 4).flags() & Qt.ItemFlag.ItemIsEditable
    assert model.data(model.index(0, 5), EDIT) == "3"
    new_price = price - 10
    model.setData(model.index(0, 4), f"{new_price:,}", EDIT)
    await until(
        lambda: old not in session.trading.orders and len(session.trading.orders) == 1,
        10,
        "the new order",
    )
    moved = session.trading.orders.all()[0]
    assert moved.price == new_price and moved.size == 3
    assert answers.asked and answers.asked[0][0] == "Edit order"
    assert (await session.adapter.rest.order(old))["isActive"] is False
    assert session.trading.gateway.links[moved.order_id].old_id == old
    await until(
        lambda: model.rowCount() == 1 and model.order_at(0).order_id == moved.order_id, 5, "row"
    )
    model.setData(model.index(0, 5), "7", EDIT)
    await until(
        lambda: moved.order_id not in session.trading.orders and len(session.trading.orders) == 1,
        10,
        "size",
    )
    resized = session.trading.orders.all()[0]
    assert resized.size == 7 and resized.price == new_price
    # The new order is known (from the stream) before the edit's task has said it is done.
    await until(lambda: "replaced by" in desk.open_orders.message_label.text(), 5, "the message")


async def test_a_refused_edit_says_why_and_leaves_the_order(
    desk: MainWindow, answers: Answers
) -> None:
    old = await rest_order(desk)
    model = desk.open_orders.model
    model.setData(model.index(0, 4), "12.34", EDIT)
    await until(lambda: "Not changed" in desk.open_orders.message_label.text(), 5, "the reason")
    assert "tick grid" in desk.open_orders.message_label.text()
    model.setData(model.index(0, 5), "2.5", EDIT)
    assert "whole number" in desk.open_orders.message_label.text()
    answers.reply = False
    model.setData(model.index(0, 5), "4", EDIT)
    await until(lambda: "not confirmed" in desk.open_orders.message_label.text(), 5, "declined")
    assert [o.order_id for o in desk.session.trading.orders.all()] == [old]


async def test_fills_tab_sound_and_tray(window: MainWindow) -> None:
    await trading_ready(window)
    session = window.session
    notifier = window.notifier
    assert notifier.tray is None or QSystemTrayIcon.isSystemTrayAvailable()
    await session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "2")))
    fills = window.open_orders.fills_model
    await until(lambda: fills.rowCount() >= 1, 10, "the fill row")
    assert fills.cell(0, 1) == SYMBOL and fills.cell(0, 2) == "BUY"
    assert sum(int(fills.cell(r, 4)) for r in range(fills.rowCount())) == 2
    assert window.open_orders.tabs.tabText(3).startswith("Fills (")
    await until(lambda: notifier.notified, 5, "the fill notice")
    assert notifier.sounds == 1 and "BUY" in notifier.notified[-1]
    window.prefs.set_fill_sound(False)
    await session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "sell", "market", "2")))
    await until(lambda: len(notifier.notified) == 2, 10, "the second notice")
    assert notifier.sounds == 1  # turned off: no sound, the notice is still kept


async def test_account_bar_shows_the_exchange_balance_and_margin(window: MainWindow) -> None:
    await trading_ready(window)
    bar = window.account_bar
    await until(lambda: bar.labels["equity"].text() != "—", 10, "the equity")
    overview = await window.session.adapter.rest.account_overview()
    shown = Decimal(bar.labels["equity"].text().split()[0].replace(",", ""))
    assert abs(shown - Decimal(str(overview["accountEquity"]))) < 1
    assert bar.labels["risk"].text() == "0.00%"
    await window.session.trading.place(
        window.session.trading.prepare(OrderDraft(SYMBOL, "sell", "market", "4"))
    )
    await until(lambda: bar.labels["margin"].text() not in ("0.00", "—"), 10, "margin used")
    assert bar.labels["unrealised"].text()[0] in "+-"


async def test_live_venue_asks_before_each_position_action_until_turned_off(
    exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange, venue="live")
    answers = Answers()
    window = MainWindow(
        session, SYMBOL, settings=settings, confirm=lambda r: True, confirm_action=answers
    )
    try:
        await trading_ready(window)
        await session.trading.place(
            session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "4"))
        )
        await until(lambda: window.positions.model.rowCount() == 1, 10, "the position")
        answers.reply = False
        window.positions.request("half")
        await until(lambda: len(answers.asked) == 1, 5, "asked")
        assert session.account.positions.get(SYMBOL).qty == 4
        window.prefs.set_asks("close", False)
        window.positions.request("half")
        await until(
            lambda: session.account.positions.get(SYMBOL).qty == 2, 10, "halved without asking"
        )
        assert len(answers.asked) == 1 and window.prefs.asks("flatten")
    finally:
        await session.stop()
        dispose(window)
