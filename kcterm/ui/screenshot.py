"""`kcterm --screenshot FILE`: the window saved as PNG once it shows a live market."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kcterm.core.session import Session

log = logging.getLogger("kcterm.ui.screenshot")

DATA_TIMEOUT = 30.0  # seconds to wait for market data before giving up


async def take_screenshot(
    window: QWidget, session: Session, symbol: str, path: Path, after: float
) -> int:
    """Wait for a live book, a last price and open streams, then save the window as PNG."""
    deadline = time.monotonic() + DATA_TIMEOUT
    while time.monotonic() < deadline:
        book = session.books.get(symbol)
        ticker = session.tickers.get(symbol)
        if book and book.is_live and book.best_bid() and ticker and ticker.last is not None:
            break
        await asyncio.sleep(0.1)
    else:
        log.error("no market data within %.0f s; not saving a screenshot", DATA_TIMEOUT)
        return 1
    await asyncio.sleep(after)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        log.error("could not write %s", path)
        return 1
    print(f"screenshot saved to {path}")
    return 0
