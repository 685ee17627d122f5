"""Order book ladder panel; a click on a level puts its price into the ticket."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from kcterm.core.session import Session
from kcterm.ui.book_model import BookModel
from kcterm.ui.theme import monospace_font


class BookPanel(QWidget):
    price_clicked = Signal(Decimal)

    def __init__(
        self, session: Session, symbol: str, depth: int = 12, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn_version = -1
        self.model = BookModel(depth)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setFont(monospace_font(10))
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(18)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self._drawn_version = -1
        self.refresh()

    def refresh(self) -> None:
        book = self._session.books.get(self._symbol)
        if book is None or book.version == self._drawn_version:
            return
        self._drawn_version = book.version
        self.model.update_from(book, self._session.contracts.get(self._symbol))

    def _on_clicked(self, index: QModelIndex) -> None:
        price = self.model.prices[index.row()]
        if price is not None:
            self.price_clicked.emit(price)
