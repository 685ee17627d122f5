"""Paints a ladder cell: the own-order tint, the size or cumulative-size bar, then the number.

Cells are painted straight from the model's LadderRow. Qt's generic delegate path asks the
model for a dozen roles per cell, each a Python call; in a fast market the ladder repaints
thousands of cells a second, and that path was most of the window's painting time.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from kcterm.ui.book_model import _CENTER, _RIGHT, MINE, PRICE, SIZE, TOTAL, BookModel
from kcterm.ui.theme import colors

TEXT_MARGIN = 4  # pixels between a number and the cell's edge


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
        row = model.row_at(index.row())
        column = index.column()
        theme = colors()
        rect = QRectF(option.rect)
        if row.mine and column in (MINE, PRICE):
            own = QColor(theme.own_order)
            own.setAlpha(40)
            painter.fillRect(rect, own)
        if row.side != "spread" and column in (SIZE, TOTAL):
            fraction = row.size_bar if column == SIZE else row.total_bar
            color = (
                theme.cum_bar
                if column == TOTAL
                else (theme.ask_bar if row.side == "ask" else theme.bid_bar)
            )
            width = rect.width() * max(0.0, min(1.0, fraction))
            # Bars grow from the right edge, under right-aligned numbers, as on most ladders.
            painter.fillRect(
                QRectF(rect.right() - width, rect.top() + 1, width, rect.height() - 2),
                QColor(color),
            )
        text = row.texts()[column]
        if not text:
            return
        if column == MINE:
            pen = QColor(theme.own_order)
        elif row.side == "spread":
            pen = QColor(theme.muted)
        else:
            pen = theme.side("buy" if row.side == "bid" else "sell")
        painter.setFont(option.font)
        painter.setPen(pen)
        painter.drawText(
            rect.adjusted(TEXT_MARGIN, 0, -TEXT_MARGIN, 0),
            _CENTER if column == MINE else _RIGHT,
            text,
        )
