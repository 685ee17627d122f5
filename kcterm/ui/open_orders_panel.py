"""Open orders: one row per order the feed reports open; cancel one or all for the symbol."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from kcterm.api.errors import KucoinError
from kcterm.core.session import Session
from kcterm.ui.open_orders_model import CANCEL_COLUMN, OpenOrdersModel
from kcterm.ui.theme import monospace_font


class OpenOrdersPanel(QWidget):
    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn_version = -1
        self.model = OpenOrdersModel(session.contracts)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setFont(monospace_font(10))
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(20)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.clicked.connect(self._on_clicked)
        self.count_label = QLabel("0 open")
        self.cancel_all_button = QPushButton(f"Cancel all {symbol}")
        self.cancel_all_button.clicked.connect(self._cancel_all)
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.cancel_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self.cancel_all_button.setText(f"Cancel all {symbol}")

    def refresh(self) -> None:
        orders = self._session.orders
        if orders.version == self._drawn_version:
            return
        self._drawn_version = orders.version
        self.model.set_orders(orders.all())
        self.count_label.setText(f"{len(orders)} open")

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == CANCEL_COLUMN:
            self.cancel_row(index.row())

    @asyncSlot(int)
    async def cancel_row(self, row: int) -> None:
        order = self.model.order_at(row)
        try:
            await self._session.cancel(order.order_id)
        except KucoinError:
            pass  # the session already told the user why, in the status line

    @asyncSlot()
    async def _cancel_all(self) -> None:
        try:
            await self._session.cancel_all(self._symbol)
        except KucoinError:
            pass  # reported by the session
