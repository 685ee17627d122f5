"""Paints the ladder's size and cumulative-size bars behind the numbers."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from kcterm.ui.book_model import BAR_ROLE
from kcterm.ui.theme import colors


class LadderBarDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        bar = index.data(BAR_ROLE)
        if bar:
            fraction, kind = bar
            theme = colors()
            color = {"ask": theme.ask_bar, "bid": theme.bid_bar}.get(kind, theme.cum_bar)
            rect = QRectF(option.rect)
            width = rect.width() * max(0.0, min(1.0, fraction))
            # Bars grow from the right edge, under right-aligned numbers, as on most ladders.
            painter.fillRect(
                QRectF(rect.right() - width, rect.top() + 1, width, rect.height() - 2),
                QColor(color),
            )
        super().paint(painter, option, index)
