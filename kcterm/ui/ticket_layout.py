"""The order ticket's layout: the fields in a scrollable two-column grid, the previews, the Buy
and Sell buttons and the reasons under them (kept apart from the ticket's behaviour)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kcterm.ui.order_ticket import OrderTicket


def lay_out(ticket: OrderTicket) -> None:
    form = QWidget()
    grid = QGridLayout(form)
    grid.setContentsMargins(6, 4, 6, 4)
    grid.setVerticalSpacing(3)
    rows: list[tuple[str, QWidget | QHBoxLayout, str, QWidget | QHBoxLayout]] = [
        ("Symbol", ticket.symbol_box, "Type", ticket.type_box),
        ("Price", ticket.price_edit, "Stop", _pair(ticket.stop_edit, ticket.trigger_box)),
        ("Size", _pair(ticket.size_edit, ticket.unit_box), "Lev.", _leverage_row(ticket)),
        ("SL", ticket.sl_edit, "TP", ticket.tp_edit),
    ]
    for row, (left, left_item, right, right_item) in enumerate(rows):
        for column, (label, item) in enumerate(((left, left_item), (right, right_item))):
            grid.addWidget(QLabel(label), row, 2 * column)
            if isinstance(item, QHBoxLayout):
                grid.addLayout(item, row, 2 * column + 1)
            else:
                grid.addWidget(item, row, 2 * column + 1)
    n = len(rows)
    grid.addWidget(ticket.conversion_label, n, 0, 1, 3)
    grid.addWidget(ticket.bracket_button, n, 3)
    grid.addWidget(ticket.options, n + 1, 0, 1, 4)
    grid.addWidget(ticket.risk, n + 2, 0, 1, 4)
    grid.addWidget(ticket.contract_hint, n + 3, 0, 1, 4)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    grid.setRowStretch(n + 4, 1)  # spare height goes below the fields, not between them
    scroll = QScrollArea()
    scroll.setWidget(form)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    buttons = QHBoxLayout()
    buttons.addWidget(ticket.buy_button)
    buttons.addWidget(ticket.sell_button)
    layout = QVBoxLayout(ticket)
    layout.setContentsMargins(0, 0, 0, 4)
    layout.setSpacing(2)
    layout.addWidget(scroll, 1)
    for widget in (ticket.buy_preview, ticket.sell_preview):
        widget.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(widget)
    layout.addLayout(buttons)
    for widget in (ticket.gate_label, ticket.error_label):
        widget.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(widget)


def _leverage_row(ticket: OrderTicket) -> QHBoxLayout:
    row = _pair(ticket.leverage_box, ticket.margin.mode_box)
    row.addWidget(ticket.margin.apply_button)
    return row


def _pair(first: QWidget, second: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(3)
    row.addWidget(first, 3)
    row.addWidget(second, 2)
    return row
