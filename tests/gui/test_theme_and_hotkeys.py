"""Dark and light themes; configurable hotkeys that trade through the ticket's checks."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from kcterm.embedded import EmbeddedExchange
from kcterm.ui.hotkeys import HOTKEYS
from kcterm.ui.hotkeys_dialog import HotkeysDialog
from kcterm.ui.main_window import MainWindow
from kcterm.ui.theme import DARK, LIGHT, colors
from tests.gui.conftest import SYMBOL, dispose, open_session, trading_ready, until


def window_color() -> str:
    return QApplication.palette().color(QPalette.ColorRole.Window).name()


async def test_dark_by_default_light_on_request_and_remembered(
    exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange)
    try:
        first = MainWindow(session, SYMBOL, settings=settings)
        assert colors() is DARK and window_color() == DARK.window
        style = QApplication.style()  # Fusion, set once: a new style re-polishes every widget
        disabled = QApplication.palette().color(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText
        )
        assert disabled.name() == DARK.muted  # a disabled check box's label looks disabled
        first.set_theme("light")
        assert colors() is LIGHT and window_color() == LIGHT.window
        assert "#ffffff" in QApplication.instance().styleSheet()  # light.qss is applied
        assert QApplication.style() is style
        assert first.chart.plots.backgroundBrush().color().name() == LIGHT.base
        await until(lambda: first.tape.model.rowCount() > 0, 15, "a trade")
        brush = first.tape.model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole)
        assert brush.color() == LIGHT.side(first.tape.model.row_at(0).side)
        dispose(first)
        second = MainWindow(session, SYMBOL, settings=settings)  # no theme given: the last one
        assert colors() is LIGHT
        second.set_theme("dark")
        assert window_color() == DARK.window
        dispose(second)
    finally:
        await session.stop()


async def test_buy_and_sell_at_best_hotkeys_place_at_the_touch(window: MainWindow, qtbot) -> None:
    await trading_ready(window)
    window.ticket.size_edit.setText("2")
    book = window.session.market_data.books[SYMBOL]
    window.activateWindow()
    window.setFocus()
    bid = book.best_bid()[0]
    window.hotkeys.actions["buy_best"].trigger()
    placed = window.session.trading.gateway.placed
    await until(lambda: placed, 10, "the hotkey order")
    # Read back from the exchange: in a moving market the bid may be gone by the time the
    # order arrives, and it then fills at once instead of resting; it was sent at the bid.
    order = await window.session.adapter.rest.order(next(iter(placed.values())))
    assert order["side"] == "buy" and order["size"] == 2 and Decimal(order["price"]) == bid
    window.hotkeys.actions["cancel_all"].trigger()
    await until(lambda: len(window.session.trading.orders) == 0, 10, "cancel all by hotkey")
    # The stream tells of the cancel before the DELETE's reply arrives, so the window may now
    # close under that reply: the closed client fails it at once, with no retry's backoff
    # waking after the loop stopped (tests/integration/test_closing_leaves_nothing_open.py).


async def test_hotkeys_respect_the_interlock(window: MainWindow) -> None:
    await trading_ready(window)
    window.frame_clock.stop()  # no frame shows what follows: the hotkey meets it first
    await window.session.adapter.public.close()  # the market feed is gone
    assert not window.trade_at_best("sell")
    assert "Market feed closed" in window.ticket.error_label.text()
    assert len(window.session.trading.orders) == 0


async def test_toggle_one_click_hotkey(window: MainWindow) -> None:
    await trading_ready(window)
    assert not window.book.one_click_on
    window.hotkeys.actions["toggle_one_click"].trigger()
    assert window.book.one_click_on
    window.hotkeys.actions["toggle_one_click"].trigger()
    assert not window.book.one_click_on


async def test_hotkeys_are_rebound_and_remembered(window: MainWindow, settings: QSettings) -> None:
    defaults = {spec.name: QKeySequence(spec.default) for spec in HOTKEYS}
    assert window.hotkeys.actions["buy_best"].shortcut() == defaults["buy_best"]
    dialog = HotkeysDialog(window.hotkeys, window)
    dialog.edits["cancel_all"].setKeySequence(QKeySequence("F12"))
    dialog.accept()
    assert window.hotkeys.actions["cancel_all"].shortcut() == QKeySequence("F12")
    assert settings.value("hotkeys/cancel_all") == "F12"
    assert window.hotkeys.sequence("cancel_all") == QKeySequence("F12")
    window.hotkeys.restore_defaults()
    assert window.hotkeys.actions["cancel_all"].shortcut() == defaults["cancel_all"]
