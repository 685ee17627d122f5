"""Order ticket: symbol, limit/market, price, size in lots, leverage; Buy and Sell.

Entries are checked by core against the contract before anything is sent; a refusal shows the
reason under the ticket and marks the field. On the live venue every order asks first. The
ladder's one-click trading and the hotkeys place through `submit_at`, so they pass the same
checks; while the feed is stale (core.interlock) Buy and Sell are disabled and say why.
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
from kcterm.core.error_text import explain
from kcterm.core.interlock import Gate
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
        self.gate_label = QLabel()
        self.gate_label.setObjectName("gateReason")
        self.gate_label.setWordWrap(True)
        self._gate = Gate(False, "Waiting for market data")
        self._sending = False

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
        layout.addWidget(self.gate_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.symbol_box.currentTextChanged.connect(self._on_symbol_changed)
        self.type_box.currentTextChanged.connect(self._on_type_changed)
        self.buy_button.clicked.connect(lambda: self._submit("buy"))
        self.sell_button.clicked.connect(lambda: self._submit("sell"))
        for edit in (self.price_edit, self.size_edit):
            edit.textEdited.connect(self._clear_error)
        self._on_symbol_changed(symbol)
        self.set_gate(self._gate)

    @property
    def symbol(self) -> str:
        return self.symbol_box.currentText()

    def set_price(self, price: Decimal) -> None:
        contract = self._session.contracts.get(self.symbol)
        self.price_edit.setText(contract.format_price(price) if contract else str(price))
        self._clear_error()

    def set_symbol(self, symbol: str) -> None:
        """Follow a symbol chosen elsewhere (no symbol_changed echo)."""
        if symbol == self.symbol:
            return
        self.symbol_box.blockSignals(True)
        self.symbol_box.setCurrentText(symbol)
        self.symbol_box.blockSignals(False)
        self._apply_contract(symbol)

    @property
    def trading_allowed(self) -> bool:
        return self._gate.open

    def set_gate(self, gate: Gate) -> None:
        """Enable Buy/Sell only while the interlock is open; otherwise show its reason."""
        self._gate = gate
        enabled = gate.open and not self._sending
        self.buy_button.setEnabled(enabled)
        self.sell_button.setEnabled(enabled)
        self.gate_label.setText("" if gate.open else f"Trading disabled: {gate.reason}")
        self.gate_label.setVisible(not gate.open)

    def draft(
        self,
        side: str,
        price: Decimal | None = None,
        order_type: str | None = None,
        symbol: str | None = None,
    ) -> OrderDraft:
        symbol = symbol or self.symbol
        contract = self._session.contracts.get(symbol)
        if price is not None:
            price_text = contract.format_price(price) if contract else str(price)
        else:
            price_text = self.price_edit.text()
        leverage = self.leverage_box.value()
        if contract is not None:
            leverage = min(leverage, contract.max_leverage)
        return OrderDraft(
            symbol=symbol,
            side=side,
            order_type=order_type or self.type_box.currentText().lower(),
            size=self.size_edit.text(),
            price=price_text,
            leverage=leverage,
        )

    def submit_at(self, side: str, price: Decimal, symbol: str | None = None) -> bool:
        """A limit order at `price` with the ticket's size, on `symbol` (default: the ticket's),
        for one-click trading and hotkeys; the caller has checked that symbol's interlock.
        Returns False when it was not sent (validation, no confirmation)."""
        return self._submit(side, self.draft(side, price, "limit", symbol), gate_checked=True)

    def _submit(self, side: str, draft: OrderDraft | None = None, gate_checked=False) -> bool:
        self._clear_error()
        if not gate_checked and not self._gate.open:
            self._show_error(f"Not sent: {self._gate.reason}.")
            return False
        try:
            request = self._session.prepare(draft or self.draft(side))
        except OrderRejected as rejected:
            self._show_error(rejected.reason, rejected.field)
            return False
        if self._confirm is not None and not self._confirm(request):
            self._show_error("Order not sent: not confirmed.")
            return False
        self._send(request)
        return True

    @asyncSlot(object)
    async def _send(self, request: OrderRequest) -> None:
        self._sending = True
        self.set_gate(self._gate)
        try:
            order_id = await self._session.place(request)
        except KucoinError as exc:
            self._show_error(
                f"Rejected by the exchange: {explain(exc.code, exc.msg)} (code {exc.code})"
            )
        else:
            self.order_sent.emit(order_id)
        finally:
            self._sending = False
            self.set_gate(self._gate)

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
        if self._apply_contract(symbol):
            self.symbol_changed.emit(symbol)

    def _apply_contract(self, symbol: str) -> bool:
        contract = self._session.contracts.get(symbol)
        if contract is None:
            return False
        self.leverage_box.setRange(1, contract.max_leverage)
        self.leverage_box.setValue(min(5, contract.max_leverage))
        self.contract_hint.setText(
            f"tick {contract.format_price(contract.tick_size)} · 1 lot = "
            f"{contract.multiplier.normalize():f} {contract.base_currency} · "
            f"max {contract.max_order_qty:,} lots"
        )
        self.price_edit.clear()
        self._clear_error()
        return True
