"""Start-up (issue 14): the watchlist fits its columns once, when it is shown at its real size,
not also while the window is being built at a size it is never shown at; the columns shown are
the ones a fit at that size gives, and a width that moves later still refits them."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSettings

from kcterm.embedded import EmbeddedExchange
from kcterm.ui.main_window import MainWindow
from kcterm.ui.watchlist_panel import WatchlistPanel
from kcterm.venue.events import LastPrice, Side
from tests.gui.conftest import SYMBOL, dispose, open_session, until


def columns(panel: WatchlistPanel) -> list[tuple[bool, int]]:
    header = panel.view.horizontalHeader()
    return [
        (header.isSectionHidden(c), header.sectionSize(c)) for c in range(panel.model.columnCount())
    ]


async def test_the_columns_are_fitted_at_the_size_shown_and_only_then(
    exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange)
    window = MainWindow(session, SYMBOL, settings=settings, theme="dark")
    watchlist = window.watchlist
    try:
        window.frame_clock.tick()  # a refresh before the show, as the Desk does
        assert watchlist.model.rowCount() > 0  # rows to fit...
        assert watchlist.fits == 0  # ...but no fit at a size the window is not shown at
        window.show()
        await until(lambda: watchlist.fits > 0, 5, "the fit at the first show")
        await until(lambda: watchlist.view.viewport().width() > 0, 5, "laid out")
        shown = columns(watchlist)
        assert any(size > 0 for hidden, size in shown if not hidden)
        fits = watchlist.fits
        watchlist.fit_columns()  # a fit now, at the size shown, gives the same columns
        assert columns(watchlist) == shown and watchlist.fits == fits + 1
        row = session.market_data.watchlist.rows[SYMBOL]
        await until(lambda: row.last is not None, 5, "a last price")
        assert row.last is not None
        session.market_data.on_last_price(LastPrice(SYMBOL, row.last * Decimal(1000), Side.BUY))
        watchlist.refresh()  # shown: a wider text refits at once, as before
        assert watchlist.fits == fits + 2
    finally:
        window.frame_clock.stop()
        await session.stop()
        dispose(window)
