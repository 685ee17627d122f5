"""A table view that paints all of its viewport, its background included.

A view whose viewport Qt does not take as opaque has the widgets under it (its panel, its dock)
painted again with every change of a cell: a new print in the tape or a new price in the
watchlist repainted the whole dock, frame and title bar included (issue 14). The viewport is
marked opaque (WA_OpaquePaintEvent) and the view fills the part it repaints with the
viewport's background itself, so a change repaints the changed cells' rectangle alone; its
scroll bars fill their background too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QTableView, QWidget


class OpaqueTableView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        for bar in (self.verticalScrollBar(), self.horizontalScrollBar()):
            # A row inserted at the top (the tape) moves the scroll bar: an opaque one is
            # repainted alone, not with the dock, the panel and the view's frame beneath it.
            bar.setAutoFillBackground(True)

    def paintEvent(self, event: QPaintEvent) -> None:
        viewport = self.viewport()
        background = QPainter(viewport)
        background.fillRect(event.rect(), viewport.palette().brush(viewport.backgroundRole()))
        background.end()
        super().paintEvent(event)
