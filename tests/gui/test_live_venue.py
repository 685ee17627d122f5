"""On the live venue the window is marked LIVE and every order needs a confirmation.

The session here points at the embedded exchange but is labelled live, which is exactly what
the UI sees on KuCoin; no real venue is contacted.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from kcterm.core.validation import OrderRequest
from kcterm.embedded import EmbeddedExchange
from kcterm.ui.main_window import MainWindow
from tests.gui.conftest import dispose, open_session, trading_ready, until


async def test_live_window_is_marked_and_asks_before_each_order(
    qtbot, exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange, venue="live")
    asked: list[OrderRequest] = []
    answers = [False, True]

    def confirm(request: OrderRequest) -> bool:
        asked.append(request)
        return answers[len(asked) - 1]

    window = MainWindow(session, "XBTUSDTM", confirm=confirm, settings=settings)
    try:
        assert "LIVE" in window.windowTitle()
        assert window.status.venue_badge.text() == "LIVE"
        assert window.status.venue_badge.objectName() == "venueBadgeLive"
        await trading_ready(window)
        window.ticket.price_edit.setText("60000.0")
        window.ticket.size_edit.setText("1")
        qtbot.mouseClick(window.ticket.buy_button, Qt.MouseButton.LeftButton)
        assert len(asked) == 1 and "not confirmed" in window.ticket.error_label.text()
        qtbot.mouseClick(window.ticket.buy_button, Qt.MouseButton.LeftButton)
        assert len(asked) == 2 and asked[1].price_text == "60000.0"
        await until(lambda: len(session.trading.orders) == 1, 10, "the confirmed order")
    finally:
        await session.stop()
        dispose(window)
