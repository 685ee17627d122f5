"""Order ticket: symbol, limit/market, price, size in lots, leverage; Buy and Sell.

Entries are checked by core against the contract before anything is sent; a refusal shows the
reason under the ticket and marks the field. On the live venue every order asks first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from kcterm.api.errors import KucoinError
from kcterm.core.session import Session
from kcterm.core.validation import OrderDraft, OrderRejected, OrderRequest

log = logging.getLogger("kcterm.ui.order_ticket")

# Asks the user to confirm a validated order; returns True to send. Live venue only.
ConfirmOrder = Callable[[OrderRequest], bool]


class OrderTicket(QWidget):
    symbol_changed = Signal(str)
    order_sent = Signal(str)  # order id

    def __init__(
        self,
        session: Session,
        symbol: str,
        confirm: ConfirmOrder | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._confirm = confirm
        self.symbol_box = QComboBox()
        self.symbol_box.addItems(sorted(session.contracts))
        self.symbol_box.setCurrentText(symbol)
        self.type_box = QComboBox()
        self.type_box.addItems(["Limit", "Market"])
        self.price_edit = QLineEdit()
        self.price_edit.setPlaceholderText("price")
        self.size_edit = QLineEdit("1")
        self.size_edit.setPlaceholderText("lots")
        self.leverage_box = QSpinBox()
        self.leverage_box.setSuffix("x")
        self.contract_hint = QLabel()
        self.contract_hint.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("ticketError")
        self.error_label.setWordWrap(True)
        self.buy_button = QPushButton("Buy / Long")
        self.buy_button.setObjectName("buyButton")
        self.sell_button = QPushButton("Sell / Short")
        self.sell_button.setObjectName("sellButton")

        form = QFormLayout()
        form.addRow("Symbol", self.symbol_box)
        form.addRow("Type", self.type_box)
        form.addRow("Price", self.price_edit)
        form.addRow("Size (lots)", self.size_edit)
        form.addRow("Leverage", self.leverage_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.buy_button)
        buttons.addWidget(self.sell_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.contract_hint)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.symbol_box.currentTextChanged.connect(self._on_symbol_changed)
        self.type_box.currentTextChanged.connect(self._on_type_changed)
        self.buy_button.clicked.connect(lambda: self._submit("buy"))
        self.sell_button.clicked.connect(lambda: self._submit("sell"))
        for edit in (self.price_edit, self.size_edit):
            edit.textEdited.connect(self._clear_error)
        self._on_symbol_changed(symbol)

    @property
    def symbol(self) -> str:
        return self.symbol_box.currentText()

    def set_price(self, price: Decimal) -> None:
        contract = self._session.contracts.get(self.symbol)
        self.price_edit.setText(contract.format_price(price) if contract else str(price))
        self._clear_error()

    def draft(self, side: str) -> OrderDraft:
        return OrderDraft(
            symbol=self.symbol,
            side=side,
            order_type=self.type_box.currentText().lower(),
            size=self.size_edit.text(),
            price=self.price_edit.text(),
            leverage=self.leverage_box.value(),
        )

    def _submit(self, side: str) -> None:
        self._clear_error()
        try:
            request = self._session.prepare(self.draft(side))
        except OrderRejected as rejected:
            self._show_error(rejected.reason, rejected.field)
            return
        if self._confirm is not None and not self._confirm(request):
            self._show_error("Order not sent: not confirmed.")
            return
        self._send(request)

    @asyncSlot(object)
    async def _send(self, request: OrderRequest) -> None:
        self.buy_button.setEnabled(False)
        self.sell_button.setEnabled(False)
        try:
            order_id = await self._session.place(request)
        except KucoinError as exc:
            self._show_error(f"Rejected by the exchange: {exc.msg} (code {exc.code})")
        else:
            self.order_sent.emit(order_id)
        finally:
            self.buy_button.setEnabled(True)
            self.sell_button.setEnabled(True)

    def _show_error(self, reason: str, field: str | None = None) -> None:
        self.error_label.setText(reason)
        edit = {"price": self.price_edit, "size": self.size_edit}.get(field or "")
        if edit is not None:
            edit.setProperty("invalid", True)
            edit.style().polish(edit)
            edit.setFocus()

    def _clear_error(self) -> None:
        self.error_label.clear()
        for edit in (self.price_edit, self.size_edit):
            if edit.property("invalid"):
                edit.setProperty("invalid", False)
                edit.style().polish(edit)

    def _on_type_changed(self, text: str) -> None:
        self.price_edit.setEnabled(text == "Limit")
        self._clear_error()

    def _on_symbol_changed(self, symbol: str) -> None:
        contract = self._session.contracts.get(symbol)
        if contract is None:
            return
        self.leverage_box.setRange(1, contract.max_leverage)
        self.leverage_box.setValue(min(5, contract.max_leverage))
        self.contract_hint.setText(
            f"tick {contract.format_price(contract.tick_size)} · 1 lot = "
            f"{contract.multiplier.normalize():f} {contract.base_currency} · "
            f"max {contract.max_order_qty:,} lots"
        )
        self.price_edit.clear()
        self._clear_error()
        self.symbol_changed.emit(symbol)
