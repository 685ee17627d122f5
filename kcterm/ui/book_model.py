"""Table model of the ladder: asks above (best at the bottom), spread row, bids below.

Rows are fixed (depth asks + 1 + depth bids), so a refresh compares the new cells with the
drawn ones and emits dataChanged only over the rows that changed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from kcterm.core.book import LevelTwoBook
from kcterm.core.contract import Contract
from kcterm.ui.formatting import price_text, size_text
from kcterm.ui.theme import ASK_COLOR, BID_COLOR

Row = tuple[str, str, str, str]  # side ("ask"/"bid"/"spread"), price, size, cumulative
_ALIGN = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_HEADERS = ("Price", "Size", "Total")
_SPREAD_COLOR = QColor("#9aa4b1")


class BookModel(QAbstractTableModel):
    def __init__(self, depth: int = 12) -> None:
        super().__init__()
        self.depth = depth
        self._rows: list[Row] = [("", "", "", "")] * (2 * depth + 1)
        self.prices: list[Decimal | None] = [None] * (2 * depth + 1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column() + 1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN
        if role == Qt.ItemDataRole.ForegroundRole:
            if row[0] == "ask":
                return QBrush(ASK_COLOR)
            if row[0] == "bid":
                return QBrush(BID_COLOR)
            return QBrush(_SPREAD_COLOR)
        return None

    def row_text(self, row: int) -> Row:
        return self._rows[row]

    def update_from(self, book: LevelTwoBook, contract: Contract | None) -> int:
        """Recompute the ladder; returns how many rows changed (and were signalled)."""
        depth = self.depth
        asks = book.asks(depth)
        bids = book.bids(depth)
        rows: list[Row] = []
        prices: list[Decimal | None] = []
        ask_rows = _cumulative("ask", asks, contract)
        padding = depth - len(ask_rows)
        rows.extend([("ask", "", "", "")] * padding)
        prices.extend([None] * padding)
        rows.extend(reversed(ask_rows))  # best ask sits just above the spread
        prices.extend(price for price, _ in reversed(asks))
        spread = book.spread()
        spread_label = "spread " + price_text(contract, spread) if spread is not None else ""
        if not book.is_live:
            spread_label = "syncing…"
        rows.append(("spread", spread_label, "", ""))
        prices.append(None)
        bid_rows = _cumulative("bid", bids, contract)
        rows.extend(bid_rows)
        prices.extend(price for price, _ in bids)
        rows.extend([("bid", "", "", "")] * (depth - len(bid_rows)))
        prices.extend([None] * (depth - len(bid_rows)))
        changed = [
            i for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)) if old != new
        ]
        self._rows = rows
        self.prices = prices
        if changed:
            top = self.index(changed[0], 0)
            bottom = self.index(changed[-1], len(_HEADERS) - 1)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole])
        return len(changed)


def _cumulative(
    side: str, levels: list[tuple[Decimal, int]], contract: Contract | None
) -> list[Row]:
    total = 0
    rows: list[Row] = []
    for price, size in levels:
        total += size
        rows.append((side, price_text(contract, price), size_text(size), size_text(total)))
    return rows
