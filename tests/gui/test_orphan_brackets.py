"""Orphaned TP/SL in the window, on the embedded exchange: a closing st-order with no entry and
no position (placed by another device) is named after the reconnect pass, offered by the
positions panel's button in a non-modal dialog, and cancelled on the trader's click."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from kcterm.core.validation import OrderDraft, new_client_oid
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, trading_ready, until
from tests.gui.far_prices import from_mark, on_tick, resting_bid


async def test_an_orphaned_tp_sl_is_offered_for_cancel_and_cancelled_on_click(
    window: MainWindow, qtbot
) -> None:
    await trading_ready(window)
    session = window.session
    contract = session.contracts[SYMBOL]
    body = {
        "clientOid": new_client_oid(),
        "side": "sell",
        "symbol": SYMBOL,
        "type": "market",
        "leverage": 1,
        "marginMode": "ISOLATED",
        "stopPriceType": "MP",
        "size": 2,
        "reduceOnly": True,
        "triggerStopUpPrice": contract.format_price(from_mark(session, SYMBOL, 2)),
        "triggerStopDownPrice": contract.format_price(from_mark(session, SYMBOL, -2)),
    }
    reply = await session.adapter.rest.request("POST", "/api/v1/st-orders", body=body, signed=True)
    stop_id = str(reply["orderId"])
    button = window.positions.orphans_button
    assert not button.isVisible()
    session.reconciler.request("reconnect")
    await until(lambda: button.isVisible(), 10, "the orphan button")
    assert button.text() == "Orphaned TP/SL (1)"
    assert any(stop_id in n.text for n in session.notices)
    assert any("Orphaned TP/SL" in e.text and stop_id in e.text for e in session.journal.entries)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.positions.orphans_dialog
    # open(), not exec(): the click returned with the dialog up, the loop never nested
    assert dialog is not None and dialog.isVisible()
    assert dialog.checked_ids() == [stop_id]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    await until(lambda: not dialog.isVisible(), 10, "the dialog closing once they are cancelled")
    assert await session.adapter.rest.stop_orders(SYMBOL) == []
    await until(lambda: not button.isVisible(), 5, "the button hidden again")
    # The streams lived through it: the book keeps moving after the click.
    book = session.market_data.books[SYMBOL]
    seq = book.sequence
    await until(lambda: book.sequence > seq, 10, "the book advancing")


async def test_reverse_from_the_grid_cancels_the_old_tp_sl_and_says_so(
    desk: MainWindow, qtbot
) -> None:
    """The review saw the old SL turn into a take-profit on the new side; now it is cancelled
    before the reversing order and the trader is told to set new ones."""
    await trading_ready(desk)
    session = desk.session
    await session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "4")))
    await until(
        lambda: (p := session.account.positions.get(SYMBOL)) is not None and p.qty == 4, 10, "long"
    )
    await until(lambda: desk.positions.model.rowCount() == 1, 5, "the position row")
    contract = session.contracts[SYMBOL]
    plan = session.trading.plan_for_position(
        SYMBOL,
        contract.format_price(from_mark(session, SYMBOL, "-1.5")),
        contract.format_price(from_mark(session, SYMBOL, 2)),
    )
    stop_id = await session.trading.place_bracket(plan)
    await until(lambda: len(session.trading.stop_orders) == 1, 10, "the st-order on the feed")
    qtbot.mouseClick(desk.positions.buttons["reverse"], Qt.MouseButton.LeftButton)
    await until(lambda: session.account.positions.get(SYMBOL).qty == -4, 10, "reversed")
    assert await session.adapter.rest.stop_orders(SYMBOL) == []
    await until(
        lambda: len(session.trading.stop_orders) == 0, 5, "the old st-order gone on the feed"
    )
    assert any(stop_id in n.text and "old TP/SL" in n.text for n in session.notices)
    grid = desk.positions.model
    await until(
        lambda: not grid.cell(0, grid.column_index("TP/SL")).startswith("SL"), 5, "no TP/SL"
    )


async def test_a_ticket_entry_with_sl_tp_cancelled_from_the_orders_panel_takes_its_tp_sl(
    window: MainWindow, qtbot
) -> None:
    """The ticket's optional SL/TP on a resting limit entry, then the orders panel's cancel
    all: the st-order goes with the entry (it stayed on main and could later close part of a
    position)."""
    await trading_ready(window)
    session = window.session
    tick = session.contracts[SYMBOL].tick_size
    price = resting_bid(session, SYMBOL)
    ticket = window.ticket
    ticket.set_kind("limit")
    ticket.price_edit.setText(str(price))
    ticket.size_edit.setText("2")
    ticket.sl_edit.setText(str(on_tick(price * Decimal("0.98"), tick)))
    ticket.tp_edit.setText(str(from_mark(session, SYMBOL, 2)))  # over the entry and the market
    ticket.checks.run()
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    await until(
        lambda: len(session.trading.orders) == 1 and len(session.trading.stop_orders) == 1,
        10,
        "entry + TP/SL",
    )
    [stop_id] = [s.order_id for s in session.trading.stop_orders.all()]
    qtbot.mouseClick(window.open_orders.cancel_all_button, Qt.MouseButton.LeftButton)
    await until(lambda: len(session.trading.orders) == 0, 10, "the entry cancelled")
    await until(lambda: len(session.trading.stop_orders) == 0, 10, "its TP/SL cancelled with it")
    assert await session.adapter.rest.stop_orders(SYMBOL) == []
    assert any(stop_id in n.text and "cancelled" in n.text for n in session.notices)
