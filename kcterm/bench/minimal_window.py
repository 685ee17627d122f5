"""The start-up floor (issue 14): the least a PySide6 + qasync + aiohttp + pyqtgraph window does
to show market data. It imports the four, opens a window with a pyqtgraph plot and a label,
reads the level-2 snapshot of one contract from a KuCoin Futures REST server (kcterm-sim) with
aiohttp, draws its bids and asks, and prints one line when the window has painted them; the
start-up benchmark (kcterm.bench.startup) times the process from its launch to that line.

    python -m kcterm.bench.minimal_window http://127.0.0.1:PORT [SYMBOL]

Of kcterm it imports only the wire floor (kcterm.venue.kucoin.wire_floor: aiohttp and orjson,
no client of ours), where the snapshot's KuCoin path and fields are read.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pyqtgraph as pg
import qasync
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from kcterm.venue.kucoin.wire_floor import snapshot_levels

PAINTED = "first painted frame with data"


class FirstPaint(QObject):
    """Sets `done` at the first paint event of the plot after its data was set."""

    def __init__(self, done: asyncio.Future[None]) -> None:
        super().__init__()
        self.armed = False
        self.done = done

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.armed and event.type() == QEvent.Type.Paint and not self.done.done():
            self.done.get_loop().call_soon(self._settle)
        return False

    def _settle(self) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def run(url: str, symbol: str) -> int:
    loop = asyncio.get_running_loop()
    window = QMainWindow()
    window.setWindowTitle("minimal")
    body = QWidget()
    layout = QVBoxLayout(body)
    label = QLabel("connecting")
    plot = pg.PlotWidget()
    layout.addWidget(label)
    layout.addWidget(plot)
    window.setCentralWidget(body)
    window.resize(1000, 700)
    painted: asyncio.Future[None] = loop.create_future()
    first = FirstPaint(painted)
    plot.viewport().installEventFilter(first)
    window.show()  # the window first, then the data
    async with aiohttp.ClientSession() as http:
        bids, asks = await snapshot_levels(http, url, symbol)
    plot.plot([p for p, _ in bids], [s for _, s in bids], pen="g", stepMode=None)
    plot.plot([p for p, _ in asks], [s for _, s in asks], pen="r", stepMode=None)
    label.setText(f"{symbol} bid {bids[0][0]} ask {asks[0][0]}")
    first.armed = True
    plot.viewport().update()
    await painted
    print(PAINTED, flush=True)
    window.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    url, symbol = args[0], (args[1] if len(args) > 1 else "XBTUSDTM")
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(run(url, symbol))


if __name__ == "__main__":
    raise SystemExit(main())
