"""Click through the main window as a trader would, against the running embedded exchange."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from kcterm.ui.main_window import MainWindow
from kcterm.ui.open_orders_model import CANCEL_COLUMN
from tests.gui.conftest import SYMBOL, trading_ready, until
from tests.gui.far_prices import resting_bid


def book_ready(window: MainWindow) -> bool:
    book = window.session.market_data.books[SYMBOL]
    return book.is_live and book.best_bid() is not None


async def test_book_widget_shows_levels_from_the_feed(window: MainWindow) -> None:
    await until(lambda: book_ready(window), 15, "a live book")
    # The ladder may have drawn the book's levels while it was still syncing (its middle row
    # says so) and shows it live at its next frame: wait for that frame, as a trader would.
    await until(
        lambda: (
            window.book.model.row_text(window.book.model.depth + 1)[1]
            and window.book.model.row_text(window.book.model.depth)[1].startswith("spread")
        ),
        5,
        "the best bid row and the spread painted",
    )
    model = window.book.model
    best_bid_row = model.row_text(model.depth + 1)
    best_ask_row = model.row_text(model.depth - 1)
    assert best_bid_row[0] == "bid" and best_ask_row[0] == "ask"
    assert Decimal(best_bid_row[1].replace(",", "")) < Decimal(best_ask_row[1].replace(",", ""))
    assert model.row_text(model.depth)[1].startswith("spread")
    await until(lambda: window.ticker.last_label.text() != "—", 5, "a last price")


async def test_type_into_ticket_click_buy_row_appears_then_cancel(
    window: MainWindow, qtbot
) -> None:
    await until(lambda: book_ready(window), 15, "a live book")
    await trading_ready(window)
    price = resting_bid(window.session, SYMBOL)
    ticket = window.ticket
    ticket.price_edit.clear()
    qtbot.keyClicks(ticket.price_edit, str(price))
    ticket.size_edit.clear()
    qtbot.keyClicks(ticket.size_edit, "4")
    qtbot.mouseClick(ticket.buy_button, Qt.MouseButton.LeftButton)
    model = window.open_orders.model
    await until(lambda: model.rowCount() == 1, 10, "the order row")
    assert ticket.error_label.text() == ""
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[1] == SYMBOL and row[2] == "BUY" and row[5] == "4"
    assert Decimal(row[4].replace(",", "")) == price

    cancel_cell = window.open_orders.view.visualRect(model.index(0, CANCEL_COLUMN)).center()
    qtbot.mouseClick(window.open_orders.view.viewport(), Qt.MouseButton.LeftButton, pos=cancel_cell)
    await until(lambda: model.rowCount() == 0, 10, "the row to go")


async def test_off_tick_price_is_refused_in_the_ticket_with_the_reason(
    window: MainWindow, qtbot
) -> None:
    await trading_ready(window)
    ticket = window.ticket
    ticket.price_edit.setText("50000.05")
    ticket.size_edit.setText("1")
    qtbot.mouseClick(ticket.sell_button, Qt.MouseButton.LeftButton)
    assert "tick grid" in ticket.error_label.text()
    assert ticket.price_edit.property("invalid") is True
    assert len(window.session.trading.orders) == 0


async def test_clicking_a_book_level_fills_the_ticket_price(window: MainWindow, qtbot) -> None:
    await until(lambda: book_ready(window), 15, "a live book")
    model = window.book.model
    row = model.depth + 1
    await until(lambda: model.prices[row] is not None, 5, "a painted bid")
    rect = window.book.view.visualRect(model.index(row, 0)).center()
    qtbot.mouseClick(window.book.view.viewport(), Qt.MouseButton.LeftButton, pos=rect)
    assert window.ticket.price_edit.text() == window.session.contracts[SYMBOL].format_price(
        model.prices[row]
    )
