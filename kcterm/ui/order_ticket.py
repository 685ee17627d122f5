"""Order ticket: limit, market, stop-limit and stop-market orders, buy and sell.

Stops trigger on the last, mark or index price (core derives the direction). Size is typed in
lots, coins or USDT and shown converted as you type; "Size by risk" sizes from a stop price.
Leverage, margin mode, time in force, post-only, reduce-only, hidden, iceberg and close
position; an optional stop-loss and take-profit go out as one st-order after the entry.

Every field is checked by core against the contract while you type: the preview under the
ticket shows, for a buy and for a sell, the cost, the fee and the liquidation price the order
would lead to, or the reason it would be refused. The ladder's one-click trading and the
hotkeys place through `submit_at`, so they pass the same checks; while the feed is stale
(core.interlock) Buy and Sell are disabled and say why.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from qasync import asyncSlot

from kcterm.core.bracket import BracketPlan
from kcterm.core.contract import Contract
from kcterm.core.error_text import order_refusal
from kcterm.core.interlock import Gate
from kcterm.core.session import Session
from kcterm.core.size_units import SizeError, convert, unit_name
from kcterm.core.validation import OrderDraft, OrderRejected, OrderRequest
from kcterm.ui.ticket_checks import TicketChecks
from kcterm.ui.ticket_hint import FirstOrderHint
from kcterm.ui.ticket_layout import lay_out
from kcterm.ui.ticket_margin import MarginControls
from kcterm.ui.ticket_options import TicketOptions
from kcterm.ui.ticket_risk import RiskSizer
from kcterm.venue.errors import VenueError
from kcterm.venue.events import Trigger

log = logging.getLogger("kcterm.ui.order_ticket")

# Asks the user to confirm a validated order; True to send, or an awaitable answer (ui.ask: an
# open() dialog awaited on the loop, never a nested event loop).
ConfirmOrder = Callable[[OrderRequest], bool | Awaitable[bool]]
KINDS = (
    ("Limit", "limit"),
    ("Market", "market"),
    ("Stop limit", "stop_limit"),
    ("Stop market", "stop_market"),
)
CHECKS_EVERY_S = 0.25  # the checks' pace on the frame clock (~4 a second, as every 8th of 30)
TRIGGER_ITEMS = (("Last", Trigger.LAST), ("Mark", Trigger.MARK), ("Index", Trigger.INDEX))


class OrderTicket(QWidget):
    symbol_changed = Signal(str)
    order_sent = Signal(str)  # order id
    bracket_requested = Signal(object)  # an OrderRequest: open the bracket dialog for it

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
        for label, kind in KINDS:
            self.type_box.addItem(label, kind)
        self.price_edit = QLineEdit()
        self.price_edit.setPlaceholderText("price")
        self.stop_edit = QLineEdit()
        self.stop_edit.setPlaceholderText("stop price")
        self.trigger_box = QComboBox()
        for label, code in TRIGGER_ITEMS:
            self.trigger_box.addItem(label, code.value)
        self.trigger_box.setToolTip("The price the stop watches: last trade, mark or index")
        self.size_edit = QLineEdit("1")
        self.size_edit.setPlaceholderText("size")
        self.unit_box = QComboBox()
        self.conversion_label = QLabel()
        self.conversion_label.setObjectName("sizeConversion")
        self.margin = MarginControls(session, self)
        self.leverage_box = self.margin.leverage_box  # the name other panels and tests know
        self.options = TicketOptions()
        self.sl_edit = QLineEdit()
        self.sl_edit.setPlaceholderText("stop-loss (optional)")
        self.tp_edit = QLineEdit()
        self.tp_edit.setPlaceholderText("take-profit (optional)")
        self.bracket_button = QPushButton("TP/SL…")
        self.bracket_button.setToolTip("Plan the stop-loss and take-profit of this entry")
        self.risk = RiskSizer(self._sizing_context)
        self.contract_hint = QLabel()
        self.contract_hint.setWordWrap(True)
        self.buy_preview = QLabel()
        self.buy_preview.setObjectName("buyPreview")
        self.sell_preview = QLabel()
        self.sell_preview.setObjectName("sellPreview")
        for preview in (self.buy_preview, self.sell_preview):
            preview.setWordWrap(True)
            preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.first_hint = FirstOrderHint()
        self.first_hint.offer(not session.is_live and not self._has_traded())
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
        self._unit = "lots"  # the unit the size field's number is in
        self._gate = Gate(False, "Waiting for market data")
        # Called before an order is sent to bring the gate up to date (the window's interlock
        # is evaluated on its frames, which come only every quarter second while it rests).
        self.recheck_gate: Callable[[], object] | None = None
        self._sending = False
        self._checked_at = 0.0  # when the refresh last ran the checks (time.monotonic)
        self.checks = TicketChecks(session, self)
        lay_out(self, self)
        self._connect()
        self._on_symbol_changed(symbol)
        self._on_kind_changed()
        self.set_gate(self._gate)

    def _connect(self) -> None:
        self.symbol_box.currentTextChanged.connect(self._on_symbol_changed)
        self.type_box.currentIndexChanged.connect(lambda _i: self._on_kind_changed())
        self.buy_button.clicked.connect(lambda: self._submit("buy"))
        self.sell_button.clicked.connect(lambda: self._submit("sell"))
        for edit in (self.price_edit, self.size_edit, self.stop_edit, self.sl_edit, self.tp_edit):
            edit.textEdited.connect(self._edited)
        self.trigger_box.currentIndexChanged.connect(lambda _i: self._edited())
        self.unit_box.currentIndexChanged.connect(lambda _i: self._unit_changed())
        self.options.changed.connect(self._edited)
        self.options.close_position.toggled.connect(self.size_edit.setDisabled)
        self.margin.changed.connect(self._edited)
        self.margin.failed.connect(self._show_error)
        self.risk.sized.connect(self._apply_risk_size)
        self.bracket_button.clicked.connect(self._open_bracket)
        self.order_sent.connect(lambda _order_id: self.first_hint.dismiss())

    # -- what the rest of the window uses -----------------------------------------------------

    @property
    def symbol(self) -> str:
        return self.symbol_box.currentText()

    @property
    def kind(self) -> str:
        return str(self.type_box.currentData())

    @property
    def contract(self) -> Contract | None:
        return self._session.contracts.get(self.symbol)

    def set_kind(self, kind: str) -> None:
        self.type_box.setCurrentIndex(self.type_box.findData(kind))

    def set_price(self, price: Decimal) -> None:
        contract = self.contract
        self.price_edit.setText(contract.format_price(price) if contract else str(price))
        self._edited()

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

    def refresh(self) -> None:
        """On the frame clock: the preview follows the market a few times a second (counted
        in seconds: a resting frame clock calls this less often, ui.frame_clock)."""
        now = time.monotonic()
        if now - self._checked_at >= CHECKS_EVERY_S and self.isVisible():
            self._checked_at = now
            self.checks.run()
            if not self.first_hint.dismissed and self._has_traded():
                self.first_hint.dismiss()  # an order or a fill from elsewhere (ladder, hotkey)

    def _has_traded(self) -> bool:
        session = self._session
        return bool(
            len(session.trading.orders)
            or len(session.trading.stop_orders)
            or len(session.trading.fills)
            or session.account.positions.all()
        )

    def draft(
        self,
        side: str,
        price: Decimal | None = None,
        order_type: str | None = None,
        symbol: str | None = None,
    ) -> OrderDraft:
        """The ticket as a draft; `price`/`order_type`/`symbol` override it (one-click and
        hotkeys: a plain limit order with the ticket's size, no flags)."""
        symbol = symbol or self.symbol
        contract = self._session.contracts.get(symbol)
        plain = order_type is not None
        kind = order_type or self.kind
        if price is not None:
            price_text = contract.format_price(price) if contract else str(price)
        else:
            price_text = self.price_edit.text()
        leverage = self.leverage_box.value()
        if contract is not None:
            leverage = min(leverage, contract.max_leverage)
        limit = kind in ("limit", "stop_limit")
        flags = {} if plain else self.options.draft_fields(limit)
        return OrderDraft(
            symbol=symbol,
            side=side,
            order_type=kind,
            size=self.size_edit.text(),
            price=price_text,
            leverage=leverage,
            margin_mode=self.margin.mode,
            size_unit=self.size_unit,
            stop_price="" if plain else self.stop_edit.text(),
            trigger=Trigger(str(self.trigger_box.currentData())),
            **flags,
        )

    def submit_at(self, side: str, price: Decimal, symbol: str | None = None) -> bool:
        """A limit order at `price` with the ticket's size, on `symbol` (default: the ticket's),
        for one-click trading and hotkeys; the caller has checked that symbol's interlock.
        Returns False when it was not sent (validation, no confirmation)."""
        return self._submit(side, self.draft(side, price, "limit", symbol), gate_checked=True)

    # -- sending -----------------------------------------------------------------------------

    def bracket_plan(self, request: OrderRequest) -> BracketPlan | None:
        """The attached stop-loss/take-profit of the ticket for `request`, if any is typed."""
        if not (self.sl_edit.text().strip() or self.tp_edit.text().strip()):
            return None
        if request.close_order or request.reduce_only:
            raise OrderRejected("sl", "A stop-loss or take-profit protects an opening order.")
        return self._session.trading.plan_for_entry(
            request, self.sl_edit.text(), self.tp_edit.text()
        )

    def _submit(self, side: str, draft: OrderDraft | None = None, gate_checked=False) -> bool:
        self._clear_error()
        if not gate_checked and self.recheck_gate is not None:
            self.recheck_gate()  # set_gate() with the interlock as of now, if it moved
        if not gate_checked and not self._gate.open:
            self._show_error(f"Not sent: {self._gate.reason}.")
            return False
        try:
            request = self._session.trading.prepare(draft or self.draft(side))
            plan = None if draft is not None else self.bracket_plan(request)
            self.checks.forecast(request)  # what the exchange would refuse from book/position
        except OrderRejected as rejected:
            self._show_error(rejected.reason, rejected.field)
            return False
        verdict = True if self._confirm is None else self._confirm(request)
        if inspect.isawaitable(verdict):
            self._send_if_confirmed(verdict, request, plan)
            return True
        if not verdict:
            self._show_error("Order not sent: not confirmed.")
            return False
        self._send(request, plan)
        return True

    @asyncSlot(object, object, object)
    async def _send_if_confirmed(
        self, verdict: Awaitable[bool], request: OrderRequest, plan: BracketPlan | None
    ) -> None:
        if not await verdict:
            self._show_error("Order not sent: not confirmed.")
            return
        await self._send(request, plan)

    @asyncSlot(object, object)
    async def _send(self, request: OrderRequest, plan: BracketPlan | None = None) -> None:
        self._sending = True
        self.set_gate(self._gate)
        try:
            if plan is None:
                order_id = await self._session.trading.place(request)
            else:
                order_id = await self._session.trading.place_with_bracket(request, plan)
        except VenueError as exc:
            self._show_error(order_refusal(exc))  # KuCoin's code and words, then ours
        else:
            self.order_sent.emit(order_id)
        finally:
            self._sending = False
            self.set_gate(self._gate)

    def _open_bracket(self) -> None:
        side = "sell" if self._sl_above_price() else "buy"
        try:
            request = self._session.trading.prepare(self.draft(side))
        except OrderRejected as rejected:
            self._show_error(rejected.reason, rejected.field)
            return
        self.bracket_requested.emit(request)

    def _sl_above_price(self) -> bool:
        """A stop-loss typed above the expected entry means a short is being planned."""
        entry = self.checks.entry_price()
        try:
            sl = Decimal(self.sl_edit.text().replace(",", ""))
        except ArithmeticError:
            return False
        return entry is not None and sl > entry

    # -- field state ---------------------------------------------------------------------------

    def field_widget(self, field: str | None) -> QWidget | None:
        widgets: dict[str, QWidget] = {
            "price": self.price_edit,
            "size": self.size_edit,
            "stop": self.stop_edit,
            "trigger": self.trigger_box,
            "leverage": self.leverage_box,
            "sl": self.sl_edit,
            "tp": self.tp_edit,
            "risk": self.risk.risk_edit,
            "risk_stop": self.risk.stop_edit,
        }
        return widgets.get(field or "") or self.options.widget_for(field or "")

    def mark_invalid(self, fields: set[str]) -> None:
        for name in ("price", "size", "stop", "visible", "sl", "tp"):
            widget = self.field_widget(name)
            assert widget is not None
            invalid = name in fields
            if bool(widget.property("invalid")) != invalid:
                widget.setProperty("invalid", invalid)
                widget.style().polish(widget)

    def _show_error(self, reason: str, field: str | None = None) -> None:
        self.error_label.setText(reason)
        widget = self.field_widget(field)
        if widget is not None:
            widget.setProperty("invalid", True)
            widget.style().polish(widget)
            widget.setFocus()

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.mark_invalid(set())

    def _edited(self, *_args: object) -> None:
        self._clear_error()
        self.checks.run()

    @property
    def closes_position(self) -> bool:
        return self.options.close_position.isChecked()

    @property
    def size_unit(self) -> str:
        return str(self.unit_box.currentData() or "lots")

    def _unit_changed(self) -> None:
        """The typed number is rewritten in the new unit at the ticket's price; one that cannot
        be converted is cleared with the reason, never read as the new unit (1000 USDT must
        not become 1000 lots)."""
        old, new = self._unit, self.size_unit
        self._unit = new
        text = self.size_edit.text()
        reason = ""
        contract = self.contract
        if old != new and text.strip() and contract is not None:
            try:
                self.size_edit.setText(convert(contract, old, new, text, self.checks.entry_price()))
            except SizeError as exc:
                self.size_edit.clear()
                reason = f"Size cleared, not converted to {unit_name(contract, new)}: {exc}"
        self._edited()
        if reason:
            self._show_error(reason, "size")

    def _set_unit_quietly(self, unit: str) -> None:
        """Select `unit` without converting: the caller writes a size in it next."""
        self.unit_box.blockSignals(True)
        self.unit_box.setCurrentIndex(max(0, self.unit_box.findData(unit)))
        self.unit_box.blockSignals(False)
        self._unit = self.size_unit

    def _apply_risk_size(self, lots: int, stop: str) -> None:
        self._set_unit_quietly("lots")
        self.size_edit.setText(str(lots))
        if stop and not self.sl_edit.text().strip():
            self.sl_edit.setText(stop)
        self._edited()

    def _sizing_context(self) -> tuple[Contract | None, Decimal | None, Decimal | None]:
        contract = self.contract
        balance = self._session.account.balances.get(
            contract.settle_currency if contract else "USDT"
        )
        return contract, self.checks.entry_price(), balance.equity if balance else None

    def _on_kind_changed(self) -> None:
        kind = self.kind
        limit = kind in ("limit", "stop_limit")
        stop = kind.startswith("stop")
        self.price_edit.setEnabled(limit)
        self.price_edit.setPlaceholderText("price" if limit else "at market")
        self.stop_edit.setEnabled(stop)
        self.trigger_box.setEnabled(stop)
        self.options.set_limit_kind(limit)
        self._edited()

    def _on_symbol_changed(self, symbol: str) -> None:
        if self._apply_contract(symbol):
            self.symbol_changed.emit(symbol)

    def _apply_contract(self, symbol: str) -> bool:
        contract = self._session.contracts.get(symbol)
        if contract is None:
            return False
        self.margin.set_contract(contract)
        # The unit is kept across symbols: a size in USDT stays a size in USDT.
        self.unit_box.blockSignals(True)
        self.unit_box.clear()
        self.unit_box.addItem("lots", "lots")
        # Inverse (XBTUSDM): the face unit is USD and the value unit the coin it settles in.
        self.unit_box.addItem(unit_name(contract, "coins"), "coins")
        self.unit_box.addItem(unit_name(contract, "usdt"), "usdt")
        self.unit_box.blockSignals(False)
        self._set_unit_quietly(self._unit)
        self.risk.set_currency(contract.settle_currency or "USDT")
        self.contract_hint.setText(
            f"tick {contract.format_price(contract.tick_size)} · 1 lot = "
            f"{contract.multiplier.normalize():f} {unit_name(contract, 'coins')} · "
            f"max {contract.max_order_qty:,} lots · fees {contract.maker_fee_rate * 100:g}% / "
            f"{contract.taker_fee_rate * 100:g}%"
        )
        for edit in (self.price_edit, self.stop_edit, self.sl_edit, self.tp_edit):
            edit.clear()
        self._edited()
        return True
