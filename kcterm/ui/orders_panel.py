"""Orders panel: open orders and order history in tabs; cancel one, all for the symbol, or all.

Cancels stay available when the feed is stale (they only reduce risk). Rows change when the
exchange's private order feed says so, never on the REST reply alone.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from kcterm.api.errors import KucoinError
from kcterm.core.session import Session
from kcterm.ui.history_model import HistoryModel
from kcterm.ui.open_orders_model import CANCEL_COLUMN, OpenOrdersModel
from kcterm.ui.theme import monospace_font


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setFont(monospace_font(9))
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(19)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    return view


class OrdersPanel(QWidget):
    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn_open = -1
        self._drawn_history = -1
        self.model = OpenOrdersModel(session.contracts)
        self.view = _table(self.model)
        self.view.clicked.connect(self._on_clicked)
        self.history_model = HistoryModel(session.contracts)
        self.history_view = _table(self.history_model)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.view, "Open orders")
        self.tabs.addTab(self.history_view, "Order history")
        self.count_label = QLabel("0 open")
        self.cancel_all_button = QPushButton()
        self.cancel_all_button.clicked.connect(self._cancel_all)
        self.cancel_everywhere_button = QPushButton("Cancel all, every contract")
        self.cancel_everywhere_button.setObjectName("cancelEverywhereButton")
        self.cancel_everywhere_button.clicked.connect(self._cancel_everywhere)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.cancel_all_button)
        bar.addWidget(self.cancel_everywhere_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.tabs)
        self.set_symbol(symbol)

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self.cancel_all_button.setText(f"Cancel all {symbol}")

    def refresh(self) -> None:
        orders = self._session.orders
        if orders.version != self._drawn_open:
            self._drawn_open = orders.version
            self.model.set_rows(orders.all())
            self.count_label.setText(f"{len(orders)} open")
            self.tabs.setTabText(0, f"Open orders ({len(orders)})")
        history = self._session.history
        if history.version != self._drawn_history:
            self._drawn_history = history.version
            self.history_model.set_rows(history.all())
            self.tabs.setTabText(1, f"Order history ({len(history)})")

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == CANCEL_COLUMN:
            self.cancel_row(index.row())

    @asyncSlot(int)
    async def cancel_row(self, row: int) -> None:
        order = self.model.order_at(row)
        try:
            await self._session.cancel(order.order_id)
        except KucoinError:
            pass  # the session journals why; the row stays until the feed says otherwise

    @asyncSlot()
    async def _cancel_all(self) -> None:
        try:
            await self._session.cancel_all(self._symbol)
        except KucoinError:
            pass  # journaled by the session

    @asyncSlot()
    async def _cancel_everywhere(self) -> None:
        self.cancel_everywhere_button.setEnabled(False)
        try:
            await self._session.cancel_all_everywhere()
        except KucoinError:
            pass  # journaled by the session
        finally:
            self.cancel_everywhere_button.setEnabled(True)
