"""`kcterm --screenshot FILE`: the window saved as PNG once it has painted a live market.

The wait ends at the first paint of the order book after a frame that had a live book, a last
price and its feed flowing, with no stale veil ("no data yet") over the book: what that paint
shows is market data, as the floor's first paint after its data is (kcterm.bench.minimal_window).
The line PAINTED is printed then (the start-up benchmark, kcterm.bench.startup,
times the process from its launch to that line), and the window is saved `after` seconds later.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

from kcterm.ui.stale_veil import StaleVeil

if TYPE_CHECKING:
    from kcterm.core.session import Session
    from kcterm.ui.main_window import MainWindow

log = logging.getLogger("kcterm.ui.screenshot")

DATA_TIMEOUT = 30.0  # seconds to wait for market data before giving up
PAINTED = "first painted frame with data"


class _PaintWatch(QObject):
    """Settles `done` at the first paint event of `root` or a widget inside it."""

    def __init__(self, root: QWidget, done: asyncio.Future[None]) -> None:
        super().__init__()
        self.root = root
        self.done = done

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and not self.done.done()
            and isinstance(watched, QWidget)
            and (watched is self.root or self.root.isAncestorOf(watched))
        ):
            self.done.set_result(None)
        return False


async def first_painted_frame(
    window: MainWindow, session: Session, symbol: str, timeout: float
) -> bool:
    """Wait until the window has painted its order book showing a live book, a last price and
    a flowing feed: after the frame-clock tick whose panels (and veils) refreshed with that
    data, the book's next paint."""
    loop = asyncio.get_running_loop()
    painted: asyncio.Future[None] = loop.create_future()
    watch = _PaintWatch(window.book, painted)
    app = QApplication.instance()
    armed = False

    def after_refresh() -> None:  # the frame clock calls it after every panel's refresh
        nonlocal armed
        if armed or app is None:
            return
        book = session.market_data.books.get(symbol)
        ticker = session.market_data.tickers.get(symbol)
        fresh = not session.health.market_freshness(symbol).stale  # no veil: data flows
        veiled = any(veil.up for veil in window.book.findChildren(StaleVeil))  # as painted
        if (
            fresh
            and not veiled
            and book
            and book.is_live
            and book.best_bid()
            and ticker
            and ticker.last
        ):
            armed = True
            app.installEventFilter(watch)  # only from here on: every event passes through it
            window.book.update()

    window.frame_clock.add(after_refresh)
    if window.frame_clock.frames:  # refreshed before it was shown (the Desk does): its first
        after_refresh()  # paint may be the one with data
    try:
        await asyncio.wait_for(painted, timeout)
    except TimeoutError:
        return False
    finally:
        if app is not None:
            app.removeEventFilter(watch)
        armed = True  # the callback stays on the clock, idle
    return True


async def take_screenshot(
    window: MainWindow, session: Session, symbol: str, path: Path, after: float
) -> int:
    """Wait for the first painted frame with data, then save the window as PNG."""
    if not await first_painted_frame(window, session, symbol, DATA_TIMEOUT):
        log.error("no market data within %.0f s; not saving a screenshot", DATA_TIMEOUT)
        return 1
    print(PAINTED, flush=True)
    await asyncio.sleep(after)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        log.error("could not write %s", path)
        return 1
    print(f"screenshot saved to {path}")
    return 0
