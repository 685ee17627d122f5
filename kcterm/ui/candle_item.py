"""Candles (or volume bars) for pyqtgraph, drawn straight from the bars.

After pyqtgraph's customGraphicsItem example, with changes for a fast market. A trade changes
the live candle only, and only its column of the chart is repainted (set_last). A repaint
draws the candles its exposed area crosses, found with numpy over the bars: a live candle's
column draws two or three, the last-price line's strip across the chart those at its price,
the whole view the ~120 visible, however long the history. Issue 14: closed candles were
recorded into QPictures of 128 and the pictures replayed, which cost more than drawing the
same candles (a picture's ops are decoded as they are replayed) and replayed 128 candles for
a repaint that showed three: two thirds of an idle chart's repaint time.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRect, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from kcterm.core.candles import Candle
from kcterm.ui.theme import colors

Bar = tuple[float, float, float, float, float, float]  # t (s), open, high, low, close, volume
VOLUME_ALPHA = 140
PAD_PX = 2.0  # beyond the exposed area, for a pen's width at a wick's ends


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
        self._last: Bar | None = None
        self._t = np.empty(0)
        self._lo = np.empty(0)
        self._hi = np.empty(0)
        # The bounding box, worked out once per change: Qt asks for it several times a
        # repaint, and each time cost a pass over every candle (issue 14).
        self._box: QRectF | None = None
        # The theme's pens and brushes, (rising, falling), made once per theme, not per candle.
        self._style: tuple[tuple[str, str], tuple[QPen, QPen], tuple[QBrush, QBrush]] | None = None
        self.candles_drawn = 0  # by paint(), the live one included (tests and benchmarks read it)
        # paint() learns which part of the item needs painting (a live-candle update is small)
        self.setFlag(self.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    # -- content -----------------------------------------------------------------------------

    def set_bars(self, bars: list[Bar], width: float) -> None:
        """Replace everything (a new symbol, interval, history or theme)."""
        self.prepareGeometryChange()
        self.width = width
        self._closed = list(bars[:-1])
        self._last = bars[-1] if bars else None
        self._style = None  # the theme may be another
        self._reindex()
        self.update()

    def append(self, closed: list[Bar], last: Bar) -> None:
        """Candles closed since the last frame, and the new live candle."""
        self.prepareGeometryChange()
        self._closed.extend(closed)
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

    def _pens(self) -> tuple[tuple[QPen, QPen], tuple[QBrush, QBrush]]:
        theme = colors()
        key = (theme.bid, theme.ask)
        if self._style is None or self._style[0] != key:
            rising, falling = QColor(theme.bid), QColor(theme.ask)
            if self.volume:
                rising.setAlpha(VOLUME_ALPHA)
                falling.setAlpha(VOLUME_ALPHA)
                pens = (pg.mkPen(None), pg.mkPen(None))
            else:
                pens = (pg.mkPen(rising), pg.mkPen(falling))
            self._style = (key, pens, (pg.mkBrush(rising), pg.mkBrush(falling)))
        return self._style[1], self._style[2]

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, *args: object) -> None:
        exposed = option.exposedRect  # in item coordinates: x is time, y the price
        visible = self.viewRect()
        if visible is not None:
            exposed = exposed.intersected(visible)
        bars = self.bars()
        if not bars or len(bars) != len(self._t):
            return
        # Qt's exposedRect bounds all of the frame's dirty areas at once: the live candle's
        # column and the last-price line's strip make the whole chart. The widget's paint
        # clip has them apart (device pixels), so each is looked at on its own.
        areas = [exposed]
        engine = painter.paintEngine()
        clip = engine.systemClip() if engine is not None else None
        if clip is not None and clip.rectCount() > 1:
            to_item, invertible = painter.deviceTransform().inverted()
            if invertible:
                rects: Iterable[QRect] = clip  # type: ignore[assignment]  # iterable at run time
                areas = [to_item.mapRect(QRectF(r)).intersected(exposed) for r in rects]
        pad = PAD_PX / (abs(painter.worldTransform().m22()) or 1.0)
        t, highs, lows, width = self._t, self._hi, self._lo, self.width
        mask = np.zeros(len(t), dtype=bool)
        for area in areas:
            if area.isEmpty():
                continue
            low = min(area.top(), area.bottom()) - pad
            high = max(area.top(), area.bottom()) + pad
            mask |= (
                (t >= area.left() - width)
                & (t <= area.right() + width)
                & (highs >= low)
                & (lows <= high)
            )
        crossed = np.flatnonzero(mask)
        (rising_pen, falling_pen), (rising_brush, falling_brush) = self._pens()
        half = self.width * 0.4
        volume = self.volume
        # Gathered by colour and drawn in one call each (a zoomed-out chart draws thousands):
        # a candle's wick, then its body over it, as one by one; candles never overlap.
        wicks: tuple[list[QLineF], list[QLineF]] = ([], [])
        bodies: tuple[list[QRectF], list[QRectF]] = ([], [])
        for i in crossed.tolist():
            start, o, h, lo, c, v = bars[i]
            falling = int(c < o)
            if volume:
                bodies[falling].append(QRectF(start - half, 0.0, 2 * half, v))
            else:
                wicks[falling].append(QLineF(start, lo, start, h))
                bodies[falling].append(QRectF(start - half, o, 2 * half, (c - o) or 1e-9))
        for falling, pen, brush in ((0, rising_pen, rising_brush), (1, falling_pen, falling_brush)):
            if not bodies[falling]:
                continue
            painter.setPen(pen)
            painter.setBrush(brush)
            if wicks[falling]:
                painter.drawLines(wicks[falling])
            painter.drawRects(bodies[falling])
        self.candles_drawn += len(crossed)

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
