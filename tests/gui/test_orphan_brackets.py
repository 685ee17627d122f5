"""Orphaned TP/SL in the window, on the embedded exchange: a closing st-order with no entry and
no position (placed by another device) is named after the reconnect pass, offered by the
positions panel's button in a non-modal dialog, and cancelled on the trader's click."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kcterm.core.validation import OrderDraft, new_client_oid
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, result_of, trading_ready, wait


def test_an_orphaned_tp_sl_is_offered_for_cancel_and_cancelled_on_click(
    window: MainWindow, qtbot
) -> None:
    trading_ready(window)
    session = window.session
    contract = session.contracts[SYMBOL]
    mark = session.trading.market_context(SYMBOL).mark
    assert mark is not None
    tick = contract.tick_size
    mark = mark.quantize(tick)
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
        "triggerStopUpPrice": contract.format_price(mark + 900 * tick),
        "triggerStopDownPrice": contract.format_price(mark - 900 * tick),
    }
    reply = result_of(
        session.adapter.rest.request("POST", "/api/v1/st-orders", body=body, signed=True)
    )
    stop_id = str(reply["orderId"])
    button = window.positions.orphans_button
    assert not button.isVisible()
    session.reconciler.request("reconnect")
    wait(lambda: button.isVisible(), 10, "the orphan button")
    assert button.text() == "Orphaned TP/SL (1)"
    assert any(stop_id in n.text for n in session.notices)
    assert any("Orphaned TP/SL" in e.text and stop_id in e.text for e in session.journal.entries)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.positions.orphans_dialog
    # open(), not exec(): the click returned with the dialog up, the loop never nested
    assert dialog is not None and dialog.isVisible()
    assert dialog.checked_ids() == [stop_id]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    wait(lambda: not dialog.isVisible(), 10, "the dialog closing once they are cancelled")
    assert result_of(session.adapter.rest.stop_orders(SYMBOL)) == []
    wait(lambda: not button.isVisible(), 5, "the button hidden again")
    # The streams lived through it: the book keeps moving after the click.
    book = session.market_data.books[SYMBOL]
    seq = book.sequence
    wait(lambda: book.sequence > seq, 10, "the book advancing")


def test_reverse_from_the_grid_cancels_the_old_tp_sl_and_says_so(desk: MainWindow, qtbot) -> None:
    """The review saw the old SL turn into a take-profit on the new side; now it is cancelled
    before the reversing order and the trader is told to set new ones."""
    trading_ready(desk)
    session = desk.session
    result_of(
        session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "4")))
    )
    wait(
        lambda: (p := session.account.positions.get(SYMBOL)) is not None and p.qty == 4, 10, "long"
    )
    wait(lambda: desk.positions.model.rowCount() == 1, 5, "the position row")
    contract = session.contracts[SYMBOL]
    mark = session.trading.market_context(SYMBOL).mark
    assert mark is not None
    tick = contract.tick_size
    mark = mark.quantize(tick)
    plan = session.trading.plan_for_position(
        SYMBOL,
        contract.format_price(mark - 600 * tick),
        contract.format_price(mark + 900 * tick),
    )
    stop_id = result_of(session.trading.place_bracket(plan))
    wait(lambda: len(session.trading.stop_orders) == 1, 10, "the st-order on the feed")
    qtbot.mouseClick(desk.positions.buttons["reverse"], Qt.MouseButton.LeftButton)
    wait(lambda: session.account.positions.get(SYMBOL).qty == -4, 10, "reversed")
    assert result_of(session.adapter.rest.stop_orders(SYMBOL)) == []
    wait(lambda: len(session.trading.stop_orders) == 0, 5, "the old st-order gone on the feed")
    assert any(stop_id in n.text and "old TP/SL" in n.text for n in session.notices)
    grid = desk.positions.model
    wait(lambda: not grid.cell(0, grid.column_index("TP/SL")).startswith("SL"), 5, "no TP/SL")


def test_a_ticket_entry_with_sl_tp_cancelled_from_the_orders_panel_takes_its_tp_sl(
    window: MainWindow, qtbot
) -> None:
    """The ticket's optional SL/TP on a resting limit entry, then the orders panel's cancel
    all: the st-order goes with the entry (it stayed on main and could later close part of a
    position)."""
    trading_ready(window)
    session = window.session
    tick = session.contracts[SYMBOL].tick_size
    price = session.market_data.books[SYMBOL].best_bid()[0] - 150 * tick
    ticket = window.ticket
    ticket.set_kind("limit")
    ticket.price_edit.setText(str(price))
    ticket.size_edit.setText("2")
    ticket.sl_edit.setText(str(price - 400 * tick))
    ticket.tp_edit.setText(str(price + 900 * tick))
    ticket.checks.run()
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    wait(
        lambda: len(session.trading.orders) == 1 and len(session.trading.stop_orders) == 1,
        10,
        "entry + TP/SL",
    )
    [stop_id] = [s.order_id for s in session.trading.stop_orders.all()]
    qtbot.mouseClick(window.open_orders.cancel_all_button, Qt.MouseButton.LeftButton)
    wait(lambda: len(session.trading.orders) == 0, 10, "the entry cancelled")
    wait(lambda: len(session.trading.stop_orders) == 0, 10, "its TP/SL cancelled with it")
    assert result_of(session.adapter.rest.stop_orders(SYMBOL)) == []
    assert any(stop_id in n.text and "cancelled" in n.text for n in session.notices)
