"""Open orders columns; the last column is a cancel cell. Price and size are edited in place
(double-click): the edit is a request to modify the order (cancel-and-replace), so the cell
keeps its value until the exchange's order feed shows the new order.

Orders on their way (core/pending_orders.py) are rows too, on top, marked *pending* with their
age or their wait for rate-limit budget; their last cell abandons them instead of cancelling,
and they are never edited in place (there is nothing on the exchange to replace yet)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from kcterm.core.contract import Contract
from kcterm.core.orders import OpenOrder
from kcterm.core.pending_orders import PendingOrder
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import clock_text, price_text, size_text, sort_number
from kcterm.ui.theme import colors

EDIT_TIP = "Double-click to change the price or the open size (cancel-and-replace)"
PENDING_TIP = "Sent, not yet confirmed by the exchange"
ABANDON_TIP = "Stop trying to place this order (kcterm then checks it is not on the exchange)"

Row = OpenOrder | PendingOrder


def _price(contracts: dict[str, Contract], o: Row) -> str:
    if isinstance(o, PendingOrder) and o.order_type == "market":
        return "market"
    return price_text(contracts.get(o.symbol), o.price)


def _status_color(o: Row) -> QColor | None:
    # Pending in the colour of the trader's own orders: theirs, not yet the exchange's.
    return QColor(colors().own_order) if isinstance(o, PendingOrder) else None


def _tip(o: Row, open_tip: str) -> str:
    if isinstance(o, PendingOrder):
        return f"{PENDING_TIP}; last reply: {o.note}" if o.note else PENDING_TIP
    return open_tip


def open_order_columns(contracts: dict[str, Contract]) -> list[Column[Row]]:
    return [
        Column("Time", lambda o: clock_text(o.order_time_ns / 1e9), "left"),
        Column("Symbol", lambda o: o.symbol, "left"),
        Column("Side", lambda o: o.side.upper(), "left", color=lambda o: colors().side(o.side)),
        Column("Type", lambda o: o.order_type, "left"),
        Column(
            "Price",
            lambda o: _price(contracts, o),
            sort=lambda o: sort_number(o.price),
            tooltip=lambda o: _tip(o, EDIT_TIP),
        ),
        Column("Size", lambda o: size_text(o.size), tooltip=lambda o: _tip(o, EDIT_TIP)),
        Column("Filled", lambda o: size_text(o.filled_size)),
        Column(
            "Status", lambda o: o.status, "left", color=_status_color, tooltip=lambda o: _tip(o, "")
        ),
        Column(
            "",
            lambda o: "✕ Abandon" if isinstance(o, PendingOrder) else "✕ Cancel",
            "center",
            tooltip=lambda o: ABANDON_TIP if isinstance(o, PendingOrder) else "Cancel this order",
        ),
    ]


CANCEL_COLUMN = 8
EDITABLE = {4: "price", 5: "size"}


class OpenOrdersModel(SpecTableModel[Row]):
    edit_requested = Signal(str, str, str)  # order id, "price" | "size", the typed text

    def __init__(self, contracts: dict[str, Contract]) -> None:
        super().__init__(open_order_columns(contracts), key=lambda o: o.order_id)
        self._contracts = contracts

    def order_at(self, row: int) -> Row:
        return self.row_at(row)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() in EDITABLE:
            order = self.row_at(index.row())
            if isinstance(order, OpenOrder) and order.order_type == "limit":
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and index.column() in EDITABLE:
            order = self.row_at(index.row())
            if isinstance(order, PendingOrder):
                return None
            if EDITABLE[index.column()] == "size":
                return str(order.remaining)  # what is still open is what gets replaced
            contract = self._contracts.get(order.symbol)
            return contract.format_price(order.price) if contract else str(order.price)
        return super().data(index, role)

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 0
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() not in EDITABLE:
            return False
        order = self.row_at(index.row())
        if isinstance(order, PendingOrder):
            return False
        self.edit_requested.emit(order.order_id, EDITABLE[index.column()], str(value))
        return False  # unchanged until the exchange's feed says otherwise
