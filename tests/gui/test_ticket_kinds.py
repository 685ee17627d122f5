"""The order ticket's kinds and fields against the running exchange: refusals name the field
(stop price, visible size, risk sizing), stops land in the stop-orders tab, sizes convert,
the preview shows cost, fee and liquidation, SL/TP ride with an entry, fat-finger limits hold,
and the margin mode and cross leverage are the exchange's."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from PySide6.QtCore import Qt

from kcterm.ui.main_window import MainWindow
from kcterm.ui.safety_dialog import SafetyDialog
from kcterm.ui.stop_orders_model import STOP_CANCEL_COLUMN
from tests.gui.conftest import SYMBOL, trading_ready, until
from tests.gui.far_prices import resting_bid


async def resting_price(window: MainWindow) -> Decimal:
    """A buy price far enough under the bid to rest (tests/gui/far_prices.py)."""
    await trading_ready(window)
    return resting_bid(window.session, SYMBOL)


async def mark_on_tick(window: MainWindow) -> Decimal:
    await until(
        lambda: window.session.trading.market_context(SYMBOL).mark is not None, 10, "a mark price"
    )
    mark = window.session.trading.market_context(SYMBOL).mark
    return mark.quantize(window.session.contracts[SYMBOL].tick_size)


async def test_off_grid_stop_visible_size_and_risk_stop_are_refused_with_the_reason(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    await trading_ready(window)
    ticket.set_kind("stop_market")
    qtbot.keyClicks(ticket.stop_edit, "50000.05")  # typed: the preview follows each key
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    assert "Stop price 50000.05 is not on the tick grid" in ticket.error_label.text()
    assert ticket.stop_edit.property("invalid") is True
    assert "tick grid" in ticket.buy_preview.text() and "tick grid" in ticket.sell_preview.text()

    ticket.set_kind("limit")
    ticket.price_edit.setText(str(await resting_price(window)))
    ticket.size_edit.setText("5")
    ticket.options.iceberg.setChecked(True)
    ticket.options.visible_edit.setText("5")
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    assert "smaller than the size (5)" in ticket.error_label.text()
    assert ticket.options.visible_edit.property("invalid") is True

    # Risk sizing needs the equity first: before the balance is read it says only that.
    await until(lambda: window.session.account.balances.get("USDT") is not None, 10, "the balance")
    ticket.risk.setChecked(True)
    ticket.risk.stop_edit.setText("123.45")
    assert not ticket.risk.apply()
    assert "tick grid" in ticket.risk.result_label.text()
    assert ticket.size_edit.text() == "5" and len(window.session.trading.orders) == 0
    assert len(window.session.trading.stop_orders) == 0


async def test_risk_sizing_sizes_the_ticket_and_sets_its_stop_loss(window: MainWindow) -> None:
    ticket = window.ticket
    price = await resting_price(window)
    await until(lambda: window.session.account.balances.get("USDT") is not None, 10, "the balance")
    equity = window.session.account.balances.get("USDT").equity
    ticket.price_edit.setText(str(price))
    ticket.risk.setChecked(True)
    ticket.risk.risk_edit.setText("0.5")
    stop = price - 2000 * window.session.contracts[SYMBOL].tick_size  # 200 USDT under entry
    ticket.risk.stop_edit.setText(str(stop))
    assert ticket.risk.apply()
    expected = int((equity * Decimal("0.005") / (Decimal("0.001") * 200)).to_integral(ROUND_FLOOR))
    assert ticket.size_edit.text() == str(expected)
    assert ticket.sl_edit.text() == str(stop)
    assert f"{expected:,} lots risk" in ticket.risk.result_label.text()


async def test_a_stop_limit_goes_to_the_stop_orders_tab_and_is_cancelled_there(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    await trading_ready(window)
    mark = await mark_on_tick(window)
    ticket.set_kind("stop_limit")
    ticket.trigger_box.setCurrentIndex(ticket.trigger_box.findData("mark"))
    ticket.price_edit.setText(str(mark + 300))
    ticket.stop_edit.setText(str(mark + 290))
    ticket.size_edit.setText("2")
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    tab = window.open_orders.stop_model
    await until(lambda: tab.rowCount() == 1, 10, "the stop row")
    assert tab.cell(0, tab.column_index("Watches")) == "mark"
    assert tab.cell(0, tab.column_index("Type")) == "stop limit"
    assert tab.cell(0, tab.column_index("Trigger")).startswith("≥ ")
    [item] = await window.session.adapter.rest.stop_orders(SYMBOL)
    assert item["stop"] == "up" and item["stopPriceType"] == "MP" and item["size"] == 2
    assert Decimal(item["price"]) == mark + 300
    view = window.open_orders.stop_view
    window.open_orders.tabs.setCurrentIndex(1)
    cell = view.visualRect(tab.index(0, STOP_CANCEL_COLUMN)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    await until(lambda: tab.rowCount() == 0, 10, "the stop cancelled")
    assert await window.session.adapter.rest.stop_orders(SYMBOL) == []


async def test_a_size_in_usdt_is_converted_as_typed_and_sent_in_lots(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    price = await resting_price(window)
    ticket.price_edit.setText(str(price))
    ticket.unit_box.setCurrentIndex(ticket.unit_box.findData("usdt"))
    ticket.size_edit.setText("")
    qtbot.keyClicks(ticket.size_edit, "1000")
    lots = int((Decimal(1000) / (price * Decimal("0.001"))).to_integral(ROUND_FLOOR))
    assert ticket.conversion_label.text().startswith(f"= {lots} lots = ")
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(window.session.trading.orders) == 1, 10, "the order")
    assert window.session.trading.orders.all()[0].size == lots


async def test_the_preview_shows_cost_fee_and_liquidation_for_both_sides(
    window: MainWindow,
) -> None:
    ticket = window.ticket
    await trading_ready(window)
    # Near the bid, inside the exchange's band for a sell: only previewed, never placed.
    price = (
        window.session.market_data.books[SYMBOL].best_bid()[0]
        - 150 * window.session.contracts[SYMBOL].tick_size
    )
    ticket.price_edit.setText(str(price))
    ticket.size_edit.setText("10")
    ticket.checks.run()
    buy, sell = ticket.buy_preview.text(), ticket.sell_preview.text()
    for words in ("cost ", "fee ", "liq. "):
        assert words in buy and words in sell
    assert "(maker)" in buy and "(taker)" in sell  # a sell under the bid crosses the book
    liq = Decimal(buy.rsplit("liq. ", 1)[1].replace(",", ""))
    assert liq < price  # a long liquidates below its entry


async def test_an_entry_with_sl_and_tp_sends_the_order_then_its_st_order(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    await trading_ready(window)
    mark = await mark_on_tick(window)
    ticket.set_kind("market")
    ticket.size_edit.setText("3")
    ticket.sl_edit.setText(str(mark - 400))
    ticket.tp_edit.setText(str(mark + 600))
    ticket.checks.run()
    assert " R" in ticket.buy_preview.text() and "✕" in ticket.sell_preview.text()
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    session = window.session
    await until(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the position")
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "its TP/SL")
    stop_id = session.trading.stop_orders.all()[0].order_id
    # The stop feed can tell of the st-order before its placement reply, which is when the
    # plan is filed under the id (until then the levels are read off the stop itself).
    await until(lambda: session.trading.brackets.get(stop_id) is not None, 10, "its plan")
    plan = session.trading.brackets.get(stop_id)
    assert plan is not None and plan.size == 3 and not plan.close_whole
    assert (plan.stop_loss, plan.take_profit) == (mark - 400, mark + 600)


async def test_a_fat_finger_limit_set_in_the_safety_dialog_holds_back_an_order(
    window: MainWindow, qtbot
) -> None:
    dialog = SafetyDialog(window.prefs, window)
    dialog.max_value_edit.setText("200")
    dialog.max_distance_edit.setText("abc")
    assert not dialog.save() and "not a number" in dialog.error_label.text()
    dialog.max_distance_edit.setText("")
    assert dialog.save()
    window.apply_prefs()
    ticket = window.ticket
    ticket.price_edit.setText(str(await resting_price(window)))
    ticket.size_edit.setText("5")  # about 450 USDT
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    assert "above your maximum of 200.00" in ticket.error_label.text()
    assert ticket.size_edit.property("invalid") is True and len(window.session.trading.orders) == 0
    assert window.prefs.limits().max_mark_distance_pct is None


async def test_margin_mode_and_cross_leverage_are_set_on_the_exchange(window: MainWindow) -> None:
    await trading_ready(window)
    margin = window.ticket.margin
    session = window.session
    await until(lambda: SYMBOL in session.account.margin_modes, 10, "the symbol's margin mode")
    margin.mode_box.setCurrentIndex(margin.mode_box.findData("CROSS"))
    margin.mode_box.activated.emit(margin.mode_box.currentIndex())
    await until(lambda: session.account.margin_modes.get(SYMBOL) == "CROSS", 10, "cross margin")
    mode = await session.adapter.rest.request(
        "GET", "/api/v2/position/getMarginMode", params={"symbol": SYMBOL}, signed=True
    )
    assert mode["marginMode"] == "CROSS" and margin.apply_button.isVisible()
    margin.leverage_box.setValue(8)
    margin.apply_button.click()
    await until(lambda: session.account.cross_leverage.get(SYMBOL) == 8, 10, "cross leverage")
    window.ticket.set_kind("market")
    window.ticket.size_edit.setText("2")
    window.ticket.buy_button.click()
    await until(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the position")
    assert session.account.positions.get(SYMBOL).margin_mode == "CROSS"


async def test_the_tp_sl_dialog_plans_an_entry_and_sends_both(window: MainWindow, qtbot) -> None:
    ticket = window.ticket
    await trading_ready(window)
    mark = await mark_on_tick(window)
    ticket.set_kind("market")
    ticket.size_edit.setText("4")
    ticket.sl_edit.setText(str(mark + 500))  # above: a short is being planned
    qtbot.mouseClick(ticket.bracket_button, Qt.MouseButton.LeftButton)
    dialog = window.desk_actions.bracket_dialog
    assert dialog is not None and dialog.request is not None
    assert dialog.request.side == "sell" and dialog.place_button.text() == "Send entry + TP/SL"
    assert dialog.info_label.text().startswith("Entry: Short 4 lots")
    dialog.sl_edit.setText(str(mark + 500))
    dialog.tp_edit.setText(str(mark + 100))  # a short's target above the mark: refused
    dialog.update_figures()
    assert "take-profit must be below" in dialog.error_label.text()
    assert dialog.tp_edit.property("invalid") is True
    dialog.tp_edit.setText(str(mark - 1000))
    plan = dialog.update_figures()
    assert plan is not None and plan.direction == "short" and plan.size == 4
    expected_r = (plan.entry - (mark - 1000)) / (mark + 500 - plan.entry)  # from the touch
    assert f"{expected_r:.2f} R" in dialog.r_label.text()
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    session = window.session
    await until(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the short")
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "its TP/SL")
    assert session.account.positions.get(SYMBOL).qty == -4
    [item] = await session.adapter.rest.stop_orders(SYMBOL)
    assert item["side"] == "buy" and item["reduceOnly"] is True and item["size"] == 4


def choose_unit(ticket, unit: str) -> None:
    ticket.unit_box.setCurrentIndex(ticket.unit_box.findData(unit))


async def test_changing_the_size_unit_converts_the_number_at_the_ticket_price(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    price = await resting_price(window)
    ticket.price_edit.setText(str(price))
    choose_unit(ticket, "usdt")
    ticket.size_edit.clear()
    qtbot.keyClicks(ticket.size_edit, "1000")
    lots = int((Decimal(1000) / (price * Decimal("0.001"))).to_integral(ROUND_FLOOR))
    choose_unit(ticket, "lots")
    assert ticket.size_edit.text() == str(lots)  # the lots 1000 USDT buy, not 1000 lots
    assert ticket.conversion_label.text().startswith(f"= {lots} lots = ")
    choose_unit(ticket, "coins")
    assert Decimal(ticket.size_edit.text()) == lots * Decimal("0.001")
    choose_unit(ticket, "lots")
    assert ticket.size_edit.text() == str(lots)
    choose_unit(ticket, "usdt")
    assert Decimal(ticket.size_edit.text()) == lots * Decimal("0.001") * price
    assert ticket.error_label.text() == ""
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(window.session.trading.orders) == 1, 10, "the order")
    assert window.session.trading.orders.all()[0].size == lots


async def test_a_size_that_cannot_be_converted_is_cleared_with_the_reason(
    window: MainWindow, qtbot
) -> None:
    ticket = window.ticket
    ticket.price_edit.setText(str(await resting_price(window)))
    choose_unit(ticket, "usdt")
    ticket.size_edit.clear()
    qtbot.keyClicks(ticket.size_edit, "lots of money")
    choose_unit(ticket, "lots")
    assert ticket.size_edit.text() == ""
    assert "Size cleared, not converted to lots" in ticket.error_label.text()
    assert "not a number" in ticket.error_label.text()
    choose_unit(ticket, "coins")
    qtbot.keyClicks(ticket.size_edit, "0.0015")  # not a whole number of 0.001 XBT lots
    choose_unit(ticket, "usdt")
    assert ticket.size_edit.text() == "" and "not a whole number of lots" in (
        ticket.error_label.text()
    )
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    assert len(window.session.trading.orders) == 0
