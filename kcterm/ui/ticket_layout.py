"""The order ticket's layout: the fields in a scrollable two-column grid, the previews, the Buy
and Sell buttons and the reasons under them (kept apart from the ticket's behaviour)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kcterm.ui.ticket_hint import FirstOrderHint
from kcterm.ui.ticket_margin import MarginControls
from kcterm.ui.ticket_options import TicketOptions
from kcterm.ui.ticket_risk import RiskSizer


class LaidOutTicket(Protocol):
    """The ticket's widgets, as the layout places them (it never imports the ticket)."""

    symbol_box: QComboBox
    type_box: QComboBox
    price_edit: QLineEdit
    stop_edit: QLineEdit
    trigger_box: QComboBox
    size_edit: QLineEdit
    unit_box: QComboBox
    leverage_box: QSpinBox
    margin: MarginControls
    sl_edit: QLineEdit
    tp_edit: QLineEdit
    bracket_button: QPushButton
    conversion_label: QLabel
    options: TicketOptions
    risk: RiskSizer
    contract_hint: QLabel
    first_hint: FirstOrderHint
    buy_preview: QLabel
    sell_preview: QLabel
    buy_button: QPushButton
    sell_button: QPushButton
    gate_label: QLabel
    error_label: QLabel


def lay_out(ticket: LaidOutTicket, host: QWidget) -> None:
    """Lay `ticket`'s widgets out in `host` (the ticket widget itself)."""
    form = QWidget()
    grid = QGridLayout(form)
    grid.setContentsMargins(6, 4, 6, 4)
    grid.setVerticalSpacing(3)
    # Two label/field pairs a row, no pair wider than its half: the form fits a ~300 px dock
    # (1280x720 and 1366x768 screens). The leverage spin box is alone in its half; the margin
    # mode and its Set button have a row of their own beside the TP/SL button.
    rows: list[tuple[str, QWidget | QHBoxLayout, str, QWidget | QHBoxLayout]] = [
        ("Symbol", ticket.symbol_box, "Type", ticket.type_box),
        ("Price", ticket.price_edit, "Stop", _pair(ticket.stop_edit, ticket.trigger_box)),
        ("Size", _pair(ticket.size_edit, ticket.unit_box), "Lev.", ticket.leverage_box),
        ("SL", ticket.sl_edit, "TP", ticket.tp_edit),
    ]
    for row, (left, left_item, right, right_item) in enumerate(rows):
        for column, (label, item) in enumerate(((left, left_item), (right, right_item))):
            grid.addWidget(QLabel(label), row, 2 * column)
            if isinstance(item, QHBoxLayout):
                grid.addLayout(item, row, 2 * column + 1)
            else:
                grid.addWidget(item, row, 2 * column + 1)
    margin_row = len(rows)
    grid.addWidget(QLabel("Margin"), margin_row, 0)
    grid.addLayout(_margin_row(ticket), margin_row, 1, 1, 2)
    grid.addWidget(ticket.bracket_button, margin_row, 3)
    grid.addWidget(ticket.margin.leverage_note, margin_row + 1, 0, 1, 4)
    n = margin_row + 2
    grid.addWidget(ticket.conversion_label, n, 0, 1, 4)
    grid.addWidget(ticket.options, n + 1, 0, 1, 4)
    grid.addWidget(ticket.risk, n + 2, 0, 1, 4)
    grid.addWidget(ticket.contract_hint, n + 3, 0, 1, 4)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    grid.setRowStretch(n + 4, 1)  # spare height goes below the fields, not between them
    scroll = FormScroll()
    scroll.setWidget(form)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    buttons = QHBoxLayout()
    buttons.addWidget(ticket.buy_button)
    buttons.addWidget(ticket.sell_button)
    layout = QVBoxLayout(host)
    layout.setContentsMargins(0, 0, 0, 4)
    layout.setSpacing(2)
    layout.addWidget(scroll, 1)
    for widget in (ticket.first_hint, ticket.buy_preview, ticket.sell_preview):
        widget.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(widget)
    layout.addLayout(buttons)
    for widget in (ticket.gate_label, ticket.error_label):
        widget.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(widget)


class FormScroll(QScrollArea):
    """Scrolls the form up and down only, so it is never narrower than the form: the dock then
    cannot be made so narrow that fields are cut at its edge (they were, to 0 px)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        form = self.widget()
        if form is None:
            return hint
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(form.minimumSizeHint().width() + bar + 2 * self.frameWidth(), hint.height())


def _margin_row(ticket: LaidOutTicket) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(3)
    row.addWidget(ticket.margin.mode_box, 1)
    row.addWidget(ticket.margin.apply_button)
    return row


def _pair(first: QWidget, second: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(3)
    row.addWidget(first, 3)
    row.addWidget(second, 2)
    return row
