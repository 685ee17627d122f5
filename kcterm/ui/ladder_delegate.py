"""Paints the ladder: the own-order tint, the size or cumulative-size bar, then the number.

LadderView paints the rows of a BookModel itself, one pass over the rows the paint event
covers, straight from the model's LadderRows. Qt's item path calls a delegate per cell, each a
Python call with its style option and index converted: in a fast market the ladder repaints
at the frame rate (60 a second) and that path cost ~5 ms a repaint (issue 14), a third of a
core; one pass costs a fraction of it. LadderBarDelegate (one cell) stays for any other view
of the model and is what LadderView draws cell for cell.
"""

from __future__ import annotations

from operator import attrgetter

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QStaticText,
)
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

from kcterm.ui.book_model import _CENTER, _RIGHT, MINE, PRICE, SIZE, TOTAL, BookModel, LadderRow
from kcterm.ui.opaque_view import prepared_text
from kcterm.ui.theme import colors

TEXT_MARGIN = 4  # pixels between a number and the cell's edge
_MONO = "0123456789,.-+ "  # what the ladder's numbers are made of
_OWN_ALPHA = 40
# A column's text and a bar's fraction of a LadderRow, read in C (one pass per column).
_TEXT_OF = {
    MINE: attrgetter("mine"),
    PRICE: attrgetter("price"),
    SIZE: attrgetter("size"),
    TOTAL: attrgetter("total"),
}
_BAR_OF = {SIZE: attrgetter("size_bar"), TOTAL: attrgetter("total_bar")}


class _Pens:
    """The theme's colours as QColors, made once per paint, not once per cell."""

    __slots__ = ("ask", "ask_bar", "bid", "bid_bar", "cum_bar", "muted", "own", "own_fill")

    def __init__(self) -> None:
        theme = colors()
        self.own = QColor(theme.own_order)
        self.own_fill = QColor(theme.own_order)
        self.own_fill.setAlpha(_OWN_ALPHA)
        self.muted = QColor(theme.muted)
        self.bid = theme.side("buy")
        self.ask = theme.side("sell")
        self.bid_bar = QColor(theme.bid_bar)
        self.ask_bar = QColor(theme.ask_bar)
        self.cum_bar = QColor(theme.cum_bar)


def paint_cell(painter: QPainter, rect: QRectF, row: LadderRow, column: int, pens: _Pens) -> None:
    if row.mine and column in (MINE, PRICE):
        painter.fillRect(rect, pens.own_fill)
    if row.side != "spread" and column in (SIZE, TOTAL):
        fraction = row.size_bar if column == SIZE else row.total_bar
        color = (
            pens.cum_bar
            if column == TOTAL
            else (pens.ask_bar if row.side == "ask" else pens.bid_bar)
        )
        width = rect.width() * max(0.0, min(1.0, fraction))
        if width > 0:
            # Bars grow from the right edge, under right-aligned numbers, as on most ladders.
            painter.fillRect(
                QRectF(rect.right() - width, rect.top() + 1, width, rect.height() - 2), color
            )
    text = row.texts()[column]
    if not text:
        return
    if column == MINE:
        pen = pens.own
    elif row.side == "spread":
        pen = pens.muted
    else:
        pen = pens.bid if row.side == "bid" else pens.ask
    painter.setPen(pen)
    painter.drawText(
        rect.adjusted(TEXT_MARGIN, 0, -TEXT_MARGIN, 0), _CENTER if column == MINE else _RIGHT, text
    )


class LadderBarDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        model = index.model()
        if not isinstance(model, BookModel):
            super().paint(painter, option, index)
            return
        painter.setFont(option.font)
        paint_cell(painter, QRectF(option.rect), model.row_at(index.row()), index.column(), _Pens())


class LadderView(QTableView):
    """A table view of a BookModel that paints the rows in one pass (see the module doc).

    A number seen for the second time is drawn as a cached QStaticText (laid out once per
    distinct text and font: a price or a size repeats from frame to frame), a third of what
    laying a text out costs. One seen for the first time is drawn as plain text at the same
    place (the same pixels): in a busy book most cumulative totals are new on every frame and
    never come back, and laying out a static text for them cost more than drawing them. The
    totals are always drawn as plain text: one moves with every size above it, so the few
    that come back once seldom stay for the frames a layout takes to pay off (in the fast
    market 7 of the 21 layouts a frame were totals; without them a ladder paint took 12 %
    less, 1691/1825/1941 -> 1459/1624/1725 us in 3 A/B pairs).
    """

    CACHE_MAX = 4000  # distinct texts kept (each cache); a cache starts again beyond it

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self._texts: dict[str, tuple[QStaticText, int, int]] = {}
        self._seen: dict[str, int] = {}  # drawn once, as plain text: its width
        self._cache_font: QFont | None = None
        self._metrics = QFontMetricsF(self.font())
        self._ascent = 0.0
        self._line_height = 0
        self._advance = 0.0  # of every character in _MONO, when the font gives them one
        self.paints = 0  # full passes painted (tests and benchmarks read it)
        # The view paints all of itself, its background included: the dock under it is then
        # not painted again with every change of the ladder (it was, on each one).
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def _static(self, text: str) -> tuple[QStaticText, int, int]:
        cached = self._texts.get(text)
        if cached is None:
            if len(self._texts) >= self.CACHE_MAX:
                self._texts.clear()
            static = prepared_text(text, self._cache_font or self.font())
            size = static.size()
            cached = self._texts[text] = (static, round(size.width()), round(size.height()))
        return cached

    def _use_font(self, font: QFont) -> None:
        if font != self._cache_font:
            self._texts.clear()
            self._seen.clear()
            self._cache_font = QFont(font)
            self._metrics = QFontMetricsF(font)
            self._ascent = self._metrics.ascent()
            # A static text's height, as _static measures it (the same for every line).
            self._line_height = self._static("0")[2]
            # The panels' font is monospaced: a number's width is its length times one
            # advance (exactly: Qt adds the same fractional advances), without asking Qt.
            advances = {self._metrics.horizontalAdvance(c) for c in _MONO}
            self._advance = advances.pop() if len(advances) == 1 else 0.0

    def paintEvent(self, event: QPaintEvent) -> None:
        viewport = self.viewport()
        model = self.model()
        if not isinstance(model, BookModel) or self.showGrid():
            background = QPainter(viewport)
            background.fillRect(event.rect(), viewport.palette().brush(viewport.backgroundRole()))
            background.end()
            super().paintEvent(event)
            return
        painter = QPainter(viewport)  # one painter: the background, then the rows
        painter.fillRect(event.rect(), viewport.palette().brush(viewport.backgroundRole()))
        self._use_font(self.font())
        exposed: QRect = event.rect()
        rows = model.rowCount()
        first = self.rowAt(exposed.top())
        if first < 0:
            if rows == 0 or exposed.top() > self.rowViewportPosition(rows - 1):
                painter.end()
                return
            first = 0
        last = self.rowAt(exposed.bottom())
        if last < 0:
            last = rows - 1
        header = self.horizontalHeader()
        columns = [
            (c, header.sectionViewportPosition(c), header.sectionSize(c))
            for c in range(model.columnCount())
            if not header.isSectionHidden(c)
        ]
        columns = [
            (c, x, w) for c, x, w in columns if x + w > exposed.left() and x <= exposed.right()
        ]
        painter.setFont(self._cache_font or self.font())
        pens = _Pens()
        self.paints += 1
        ladder_rows = model._rows
        side_pens = {"ask": pens.ask, "bid": pens.bid, "spread": pens.muted}
        # Each row's place once, then one pass per column, with fewer branches and look-ups
        # per cell than a pass per cell (160 cells a frame): under the numbers first, the
        # own-order tint and the bars, then the numbers.
        spans = [
            (ladder_rows[r], self.rowViewportPosition(r), self.rowHeight(r))
            for r in range(first, last + 1)
        ]
        for column, x, width in columns:
            if column <= PRICE:
                for row, top, height in spans:
                    if row.mine:
                        painter.fillRect(x, top, width, height, pens.own_fill)
                continue
            bar_of = _BAR_OF[column]
            for row, top, height in spans:
                fraction: float = bar_of(row)
                if fraction <= 0.0 or row.side == "spread":
                    continue
                # Bars grow from the right edge, under right-aligned numbers.
                bar = round(width * (fraction if fraction < 1.0 else 1.0))
                if bar > 0:
                    if column == TOTAL:
                        color = pens.cum_bar
                    else:
                        color = pens.ask_bar if row.side == "ask" else pens.bid_bar
                    painter.fillRect(x + width - bar, top + 1, bar, height - 2, color)
        texts_cache = self._texts
        seen = self._seen
        metrics = self._metrics
        ascent = self._ascent
        line_height = self._line_height
        advance = self._advance
        pen = None
        for column, x, width in columns:
            centred = column == MINE
            laid_out = column != TOTAL  # a total is drawn as plain text (the class doc)
            right = x + width - TEXT_MARGIN
            text_of = _TEXT_OF[column]
            for row, top, height in spans:
                text: str = text_of(row)
                if not text:
                    continue
                want = pens.own if centred else side_pens[row.side]
                if want is not pen:
                    painter.setPen(want)
                    pen = want
                cached = texts_cache.get(text)
                if cached is None and laid_out and text in seen:  # the second time: laid out
                    del seen[text]
                    cached = self._static(text)
                if cached is not None:
                    picture, text_width, text_height = cached
                    left = x + (width - text_width) // 2 if centred else right - text_width
                    painter.drawStaticText(left, top + (height - text_height) // 2, picture)
                    continue
                if len(seen) >= self.CACHE_MAX:
                    seen.clear()
                if advance and not text.strip(_MONO):
                    text_width = round(len(text) * advance)
                else:
                    text_width = round(metrics.horizontalAdvance(text))
                seen[text] = text_width
                left = x + (width - text_width) // 2 if centred else right - text_width
                # Where the static text would be: its top-left, its baseline below.
                text_top = top + (height - line_height) // 2
                painter.drawText(QPointF(left, text_top + ascent), text)
        painter.end()
