"""Table model of open orders; the last column is a cancel cell."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from kcterm.core.contract import Contract
from kcterm.core.orders import OpenOrder
from kcterm.ui.formatting import price_text, size_text
from kcterm.ui.theme import ASK_COLOR, BID_COLOR

HEADERS = ("Time", "Symbol", "Side", "Type", "Price", "Size", "Filled", "Status", "")
CANCEL_COLUMN = len(HEADERS) - 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NUMERIC = {4, 5, 6}


class OpenOrdersModel(QAbstractTableModel):
    def __init__(self, contracts: dict[str, Contract]) -> None:
        super().__init__()
        self._contracts = contracts
        self._orders: list[OpenOrder] = []
        self._cells: list[tuple[str, ...]] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._orders)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QBrush(BID_COLOR if self._orders[index.row()].side == "buy" else ASK_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and column == CANCEL_COLUMN:
            return "Cancel this order"
        return None

    def order_at(self, row: int) -> OpenOrder:
        return self._orders[row]

    def set_orders(self, orders: list[OpenOrder]) -> None:
        """Reset when rows come or go (rare); otherwise signal only the rows that changed."""
        cells = [self._cells_for(order) for order in orders]
        if [o.order_id for o in orders] != [o.order_id for o in self._orders]:
            self.beginResetModel()
            self._orders, self._cells = orders, cells
            self.endResetModel()
            return
        changed = [
            i for i, (old, new) in enumerate(zip(self._cells, cells, strict=True)) if old != new
        ]
        self._orders, self._cells = orders, cells
        for row in changed:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def _cells_for(self, order: OpenOrder) -> tuple[str, ...]:
        contract = self._contracts.get(order.symbol)
        placed = time.strftime("%H:%M:%S", time.localtime(order.order_time_ns / 1e9))
        return (
            placed,
            order.symbol,
            order.side.upper(),
            order.order_type,
            price_text(contract, order.price),
            size_text(order.size),
            size_text(order.filled_size),
            order.status,
            "✕ Cancel",
        )
