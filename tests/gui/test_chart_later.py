"""The app's window paints its first frame before the chart exists (issue 14: the window
first; the chart and pyqtgraph come one frame after the book shows a flowing feed), and the
chart built later is the same linked, gated, themed panel; the veils never build it early."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from kcterm.embedded import EmbeddedExchange
from kcterm.ui.chart_panel import ChartPanel
from kcterm.ui.main_window import MainWindow
from kcterm.ui.stale_veil import veil_docks
from tests.gui.conftest import SYMBOL, dispose, open_session, until


def built_chart(window: MainWindow) -> ChartPanel | None:
    host = window.docks["chart"].widget()
    return host.findChild(ChartPanel) if host is not None else None


async def test_the_chart_comes_after_the_first_frame_with_data(
    exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange)
    window = MainWindow(session, SYMBOL, settings=settings, theme="light", chart_later=True)
    veils = veil_docks(window)  # as the Desk does: the chart's veil asks chart_symbol only
    window.show()
    try:
        assert built_chart(window) is None and window.chart_symbol == SYMBOL
        await until(lambda: built_chart(window) is not None, 10, "the chart after the first frame")
        chart = built_chart(window)
        assert chart is window.chart and chart.symbol == SYMBOL and chart.header.linked
        assert session.market_data.books[SYMBOL].is_live  # it came after the data, not before
        assert set(session.market_data.holders(SYMBOL)) >= {"window", "chart"}
        await until(lambda: chart.series is not None, 10, "the chart's candles")
        await until(lambda: SYMBOL in window.gates, 5, "the interlock over the chart too")
        assert not veils["chart"].greyed
    finally:
        window.frame_clock.stop()
        await session.stop()
        dispose(window)


async def test_a_symbol_chosen_before_the_chart_exists_is_the_chart_s(
    exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange)
    window = MainWindow(session, SYMBOL, settings=settings, theme="dark", chart_later=True)
    window.show()
    other = next(s for s in sorted(session.contracts) if s != SYMBOL)
    try:
        window.link.select(other)
        await until(lambda: window.book.symbol == other, 5, "the book on the new symbol")
        assert window.chart_symbol == other
        await until(lambda: built_chart(window) is not None, 10, "the chart")
        assert window.chart.symbol == other
    finally:
        window.frame_clock.stop()
        await session.stop()
        dispose(window)
