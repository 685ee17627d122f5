"""Candles (or volume bars) for pyqtgraph, drawn into cached QPictures.

After pyqtgraph's customGraphicsItem example, with one change for a fast market: closed candles
are recorded in chunks of CHUNK, so a new candle re-records only the last chunk, and the live
candle is painted directly, so a trade repaints one candle, never the history. Only the chunks
inside the visible time range are replayed: a day of 1-minute candles costs what 120 do.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPicture
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from kcterm.core.candles import Candle
from kcterm.ui.theme import colors

CHUNK = 128
Bar = tuple[float, float, float, float, float, float]  # t (s), open, high, low, close, volume


def bar_of(candle: Candle) -> Bar:
    return (
        candle.start_ms / 1000.0,
        candle.open,
        candle.high,
        candle.low,
        candle.close,
        candle.volume,
    )


class CandleItem(pg.GraphicsObject):
    def __init__(self, volume: bool = False) -> None:
        super().__init__()
        self.volume = volume  # False: candles; True: volume bars coloured like their candle
        self.width = 60.0  # seconds per candle
        self._closed: list[Bar] = []
        self._chunks: list[QPicture] = []
        self._last: Bar | None = None
        self._t = np.empty(0)
        self._lo = np.empty(0)
        self._hi = np.empty(0)
        # The bounding box, worked out once per change: Qt asks for it several times a
        # repaint, and each time cost a pass over every candle (issue 14).
        self._box: QRectF | None = None
        self.chunk_records = 0  # how many chunk pictures were recorded (benchmarks read it)
        # paint() learns which part of the item needs painting (a live-candle update is small)
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    # -- content -----------------------------------------------------------------------------

    def set_bars(self, bars: list[Bar], width: float) -> None:
        """Replace everything (a new symbol, interval, history or theme)."""
        self.prepareGeometryChange()
        self.width = width
        self._closed = list(bars[:-1])
        self._last = bars[-1] if bars else None
        self._chunks = [self._record(i) for i in range(0, len(self._closed), CHUNK)]
        self._reindex()
        self.update()

    def append(self, closed: list[Bar], last: Bar) -> None:
        """Candles closed since the last frame, and the new live candle."""
        self.prepareGeometryChange()
        start_chunk = len(self._closed) // CHUNK
        self._closed.extend(closed)
        for i, start in enumerate(range(start_chunk * CHUNK, len(self._closed), CHUNK)):
            picture = self._record(start)
            if start_chunk + i < len(self._chunks):
                self._chunks[start_chunk + i] = picture
            else:
                self._chunks.append(picture)
        self._last = last
        self._reindex()
        self.update()

    def set_last(self, last: Bar) -> None:
        """The live candle changed: only its column of the chart is repainted."""
        high = last[5] if self.volume else last[2]
        low = 0.0 if self.volume else last[3]
        grows = not len(self._t) or high > self._hi.max() or low < self._lo.min()
        if grows:
            self.prepareGeometryChange()  # the bounding box grows: all of it is repainted
        self._last = last
        if len(self._t):
            self._hi[-1], self._lo[-1] = high, low
            self._box = None
        else:
            self._reindex()
        if grows:
            self.update()
            return
        box = self.boundingRect()
        self.update(QRectF(last[0] - self.width, box.top(), 2 * self.width, box.height()))

    def bars(self) -> list[Bar]:
        return self._closed + ([self._last] if self._last else [])

    # -- painting ----------------------------------------------------------------------------

    def _record(self, start: int) -> QPicture:
        picture = QPicture()
        painter = QPainter(picture)
        for bar in self._closed[start : start + CHUNK]:
            self._draw(painter, bar)
        painter.end()
        self.chunk_records += 1
        return picture

    def _draw(self, painter: QPainter, bar: Bar) -> None:
        t, o, h, lo, c, v = bar
        theme = colors()
        color = QColor(theme.bid if c >= o else theme.ask)
        half = self.width * 0.4
        if self.volume:
            color.setAlpha(140)
            painter.setPen(pg.mkPen(None))
            painter.setBrush(pg.mkBrush(color))
            painter.drawRect(QRectF(t - half, 0.0, 2 * half, v))
            return
        painter.setPen(pg.mkPen(color))
        painter.drawLine(QPointF(t, lo), QPointF(t, h))
        painter.setBrush(pg.mkBrush(color))
        painter.drawRect(QRectF(t - half, o, 2 * half, (c - o) or 1e-9))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, *args: object) -> None:
        exposed = option.exposedRect  # in item coordinates: x is time
        visible = self.viewRect()
        if visible is not None:
            exposed = exposed.intersected(visible)
        left, right = exposed.left() - self.width, exposed.right() + self.width
        for index, picture in enumerate(self._chunks):
            first = self._closed[index * CHUNK][0]
            last = self._closed[min(len(self._closed), (index + 1) * CHUNK) - 1][0]
            if last >= left and first <= right:
                picture.play(painter)
        if self._last is not None:
            self._draw(painter, self._last)

    def boundingRect(self) -> QRectF:
        if self._box is None:
            if not len(self._t):
                self._box = QRectF()
            else:
                left = float(self._t[0]) - self.width
                right = float(self._t[-1]) + self.width
                low = float(self._lo.min())
                high = float(self._hi.max())
                self._box = QRectF(left, low, right - left, (high - low) or 1.0)
        return QRectF(self._box)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        """What the ViewBox auto-ranges to: on y, only the candles inside the visible x range."""
        if not len(self._t):
            return (None, None)
        if ax == 0:
            return (float(self._t[0]) - self.width, float(self._t[-1]) + self.width)
        mask = slice(None)
        if orthoRange is not None:
            mask = (self._t >= orthoRange[0] - self.width) & (self._t <= orthoRange[1])
            if not mask.any():
                return (None, None)
        return (float(self._lo[mask].min()), float(self._hi[mask].max()))

    def _reindex(self) -> None:
        self._box = None
        bars = self.bars()
        self._t = np.fromiter((b[0] for b in bars), float, len(bars))
        if self.volume:
            self._lo = np.zeros(len(bars))
            self._hi = np.fromiter((b[5] for b in bars), float, len(bars))
        else:
            self._lo = np.fromiter((b[3] for b in bars), float, len(bars))
            self._hi = np.fromiter((b[2] for b in bars), float, len(bars))
