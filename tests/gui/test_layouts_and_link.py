"""Docks: named layouts, restore default, the last layout across windows; the symbol link."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from kcterm.embedded import EmbeddedExchange
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import SYMBOL, dispose, open_session, until


async def test_every_panel_is_a_dock_with_a_stable_name(window: MainWindow) -> None:
    names = {dock.objectName() for dock in window.docks.values()}
    assert names == {
        "watchlist",
        "trades",
        "order_ticket",
        "chart",
        "orders",
        "positions",
        "journal",
        "ticker",
        "order_book",
    }
    assert all(dock.isVisible() for name, dock in window.docks.items() if name != "journal")


async def test_named_layout_and_restore_default(window: MainWindow) -> None:
    book, tape = window.docks["order_book"], window.docks["trades"]
    book.hide()
    window.layouts.save("no ladder")
    window.layouts.restore_default()
    assert book.isVisible()
    tape.hide()
    window.layouts.save("no tape")
    assert window.layouts.names() == ["no ladder", "no tape"]
    assert window.layouts.restore("no ladder")
    assert not book.isVisible() and tape.isVisible()
    assert window.layouts.restore("no tape")
    assert book.isVisible() and not tape.isVisible()
    window.layouts.delete("no tape")
    assert window.layouts.names() == ["no ladder"]
    assert not window.layouts.restore("no tape")
    window.findChild(type(window.menuBar().actions()[0]), "restoreDefaultLayout").trigger()
    assert book.isVisible() and tape.isVisible()


async def test_the_last_layout_comes_back_in_the_next_window(
    qtbot, exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange)
    try:
        first = MainWindow(session, SYMBOL, settings=settings)
        first.show()
        first.docks["journal"].setFloating(True)
        first.docks["watchlist"].hide()
        dispose(first)  # closing saves the layout
        second = MainWindow(session, SYMBOL, settings=settings)
        second.show()
        assert second.docks["journal"].isFloating()
        assert not second.docks["watchlist"].isVisible()
        dispose(second)
        third = MainWindow(session, SYMBOL, settings=settings, remember_layout=False)
        third.show()
        assert not third.docks["journal"].isFloating()
        dispose(third)
    finally:
        await session.stop()


async def test_a_symbol_chosen_in_the_watchlist_follows_in_linked_panels(
    window: MainWindow, qtbot
) -> None:
    await until(lambda: window.watchlist.row_of("ETHUSDTM") >= 0, 5, "the watchlist rows")
    row = window.watchlist.row_of("ETHUSDTM")
    cell = window.watchlist.view.visualRect(window.watchlist.proxy.index(row, 0)).center()
    qtbot.mouseClick(window.watchlist.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    await until(lambda: window.book.symbol == "ETHUSDTM", 5, "the ladder to follow")
    assert window.chart.symbol == window.tape.symbol == window.ticket.symbol == "ETHUSDTM"
    assert window.ticker.symbol_label.text() == "ETHUSDTM"
    assert window.open_orders.cancel_all_button.text() == "Cancel all ETHUSDTM"
    await until(lambda: window.session.market_data.books["ETHUSDTM"].is_live, 10, "the ETH book")
    await until(
        lambda: window.book.model.prices[window.book.model.depth + 1] is not None, 5, "ETH rows"
    )
    bid = window.book.model.prices[window.book.model.depth + 1]
    assert bid < 10_000  # an ETH price, not the bitcoin ladder


async def test_an_unlinked_panel_keeps_its_own_symbol(window: MainWindow, qtbot) -> None:
    window.tape.header.link_button.click()  # unlink the tape
    assert not window.tape.header.linked
    window.tape.header.symbol_box.setCurrentText("SOLUSDTM")
    window.tape.header.symbol_box.activated.emit(window.tape.header.symbol_box.currentIndex())
    await until(lambda: window.tape.symbol == "SOLUSDTM", 5, "the tape on SOL")
    assert window.book.symbol == SYMBOL  # nothing else moved
    window.ticket.symbol_box.setCurrentText("ETHUSDTM")  # a user choice in the ticket
    await until(lambda: window.book.symbol == "ETHUSDTM", 5, "linked panels on ETH")
    assert window.tape.symbol == "SOLUSDTM"
    window.tape.header.link_button.click()  # linked again: it joins the group's symbol
    assert window.tape.symbol == "ETHUSDTM"
