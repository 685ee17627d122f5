"""TP/SL dialog: a stop-loss and a take-profit for an open position or for an entry about to
be sent, as one st-order (core.bracket). Each level shows the PnL it would make and the target
its R multiple; a level on the wrong side of the watched price is refused with the reason.

For a position that already has a TP/SL, the dialog edits it: cancel-and-replace (the new
st-order is linked to the old in the journal); "Remove TP/SL" cancels it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from kcterm.core.bracket import BracketPlan
from kcterm.core.error_text import refusal_text
from kcterm.core.session import Session
from kcterm.core.validation import OrderRejected, OrderRequest
from kcterm.ui.formatting import price_text
from kcterm.ui.theme import colors
from kcterm.venue.errors import VenueError
from kcterm.venue.events import Trigger

TRIGGERS = (("Mark", Trigger.MARK), ("Last", Trigger.LAST), ("Index", Trigger.INDEX))


class BracketDialog(QDialog):
    placed = Signal(str)  # the st-order id (entry mode: the entry's order id)

    def __init__(
        self,
        session: Session,
        symbol: str,
        *,
        request: OrderRequest | None = None,
        confirm: Callable[[str], Awaitable[bool]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self.symbol = symbol
        self.request = request  # entry mode when given
        self._confirm = confirm
        self.contract = session.contracts[symbol]
        # Its checks read the symbol's last and touch (market_context): live while it is open.
        self._lease = session.market_data.lease(symbol, "TP/SL dialog")
        self.finished.connect(lambda _result: self._lease.release())
        self.setWindowTitle(f"TP/SL · {symbol}")
        self.existing_id = None if request is not None else self._existing()
        self.info_label = QLabel()
        self.trigger_box = QComboBox()
        for label, code in TRIGGERS:
            self.trigger_box.addItem(label, code.value)
        self.sl_edit = QLineEdit()
        self.sl_edit.setPlaceholderText("stop-loss price")
        self.tp_edit = QLineEdit()
        self.tp_edit.setPlaceholderText("take-profit price")
        self.sl_result = QLabel()
        self.tp_result = QLabel()
        self.r_label = QLabel()
        self.r_label.setObjectName("bracketR")
        self.error_label = QLabel()
        self.error_label.setObjectName("ticketError")
        self.error_label.setWordWrap(True)
        action = "Send entry + TP/SL" if request else "Replace TP/SL" if self.existing_id else None
        self.place_button = QPushButton(action or "Place TP/SL")
        self.place_button.setObjectName("placeBracket")
        self.remove_button = QPushButton("Remove TP/SL")
        self.remove_button.setVisible(self.existing_id is not None)
        close = QPushButton("Close")
        grid = QGridLayout()
        grid.addWidget(QLabel("Trigger on"), 0, 0)
        grid.addWidget(self.trigger_box, 0, 1)
        grid.addWidget(QLabel("Stop-loss"), 1, 0)
        grid.addWidget(self.sl_edit, 1, 1)
        grid.addWidget(self.sl_result, 1, 2)
        grid.addWidget(QLabel("Take-profit"), 2, 0)
        grid.addWidget(self.tp_edit, 2, 1)
        grid.addWidget(self.tp_result, 2, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.place_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addLayout(grid)
        layout.addWidget(self.r_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.sl_edit.textEdited.connect(lambda _t: self.update_figures())
        self.tp_edit.textEdited.connect(lambda _t: self.update_figures())
        self.trigger_box.currentIndexChanged.connect(lambda _i: self.update_figures())
        self.place_button.clicked.connect(self.place)
        self.remove_button.clicked.connect(self.remove)
        close.clicked.connect(self.reject)
        self._prefill()
        self.update_figures()

    # -- figures -----------------------------------------------------------------------------

    def plan(self) -> BracketPlan:
        trigger = Trigger(str(self.trigger_box.currentData()))
        sl, tp = self.sl_edit.text(), self.tp_edit.text()
        if self.request is not None:
            return self._session.trading.plan_for_entry(self.request, sl, tp, trigger)
        return self._session.trading.plan_for_position(self.symbol, sl, tp, trigger)

    def update_figures(self) -> BracketPlan | None:
        self._mark(set())
        try:
            plan = self.plan()
        except OrderRejected as rejected:
            self.error_label.setText(rejected.reason)
            self._mark({rejected.field})
            for label in (self.sl_result, self.tp_result, self.r_label):
                label.clear()
            return None
        self.error_label.clear()
        self.sl_result.setText(self._result(plan, plan.stop_loss))
        self.tp_result.setText(self._result(plan, plan.take_profit))
        r = plan.reward_over_risk(self.contract)
        self.r_label.setText(
            "" if r is None else f"Reward : risk = {r:.2f} R (take-profit over stop-loss)"
        )
        return plan

    def _result(self, plan: BracketPlan, level: Decimal | None) -> str:
        pnl = plan.pnl_at(self.contract, level)
        fee = plan.fees_at(self.contract, level)
        if pnl is None or fee is None:
            return ""
        color = colors().signed(float(pnl)).name()
        cur = self.contract.settle_currency or "USDT"
        places = self.contract.money_places  # 8 for a coin (an inverse contract), 2 for USDT
        return (
            f'<span style="color:{color}">PnL {pnl:+,.{places}f} {cur}</span>'
            f" (fee {fee:,.{places}f})"
        )

    def _mark(self, fields: set[str]) -> None:
        for name, edit in (("sl", self.sl_edit), ("tp", self.tp_edit)):
            if bool(edit.property("invalid")) != (name in fields):
                edit.setProperty("invalid", name in fields)
                edit.style().polish(edit)

    # -- actions -----------------------------------------------------------------------------

    @asyncSlot()
    async def place(self) -> None:
        plan = self.update_figures()
        if plan is None:
            return
        what = plan.describe(self.contract)
        if self._confirm is not None and not await self._confirm(f"Place TP/SL: {what}?"):
            self.error_label.setText("Not sent: not confirmed.")
            return
        self.place_button.setEnabled(False)
        try:
            if self.request is not None:
                order_id = await self._session.trading.place_with_bracket(self.request, plan)
            elif self.existing_id is not None:
                order_id = await self._session.trading.replace_bracket(self.existing_id, plan)
            else:
                order_id = await self._session.trading.place_bracket(plan)
        except VenueError as exc:
            self.error_label.setText(f"Refused: {refusal_text(exc)}")
            return
        finally:
            self.place_button.setEnabled(True)
        self.placed.emit(order_id)
        self.accept()

    @asyncSlot()
    async def remove(self) -> None:
        if self.existing_id is None:
            return
        question = f"Remove the TP/SL of {self.symbol}?"
        if self._confirm is not None and not await self._confirm(question):
            return
        try:
            await self._session.trading.cancel_stop(self.existing_id)
        except VenueError as exc:
            self.error_label.setText(f"Refused: {refusal_text(exc)}")
            return
        self.accept()

    # -- start -------------------------------------------------------------------------------

    def _existing(self) -> str | None:
        """The position's current TP/SL order, if it has one (edited, not added to)."""
        levels = self._session.trading.protection(self.symbol)
        known = [lv for lv in levels if self._session.trading.brackets.get(lv.order_id)]
        chosen = known or levels
        return chosen[0].order_id if chosen else None

    def _prefill(self) -> None:
        fmt = self.contract.format_price
        if self.request is not None:
            request = self.request
            entry = request.value_price
            side = "Long" if request.side == "buy" else "Short"
            at = f" @ {price_text(self.contract, entry)}" if entry is not None else " at market"
            self.info_label.setText(f"Entry: {side} {request.size} lots {self.symbol}{at}")
            return
        position = self._session.account.positions.get(self.symbol)
        if position is None:
            self.info_label.setText(f"No open position on {self.symbol}.")
            return
        self.info_label.setText(
            f"{position.side.capitalize()} {abs(position.qty):,} lots {self.symbol} @ "
            f"{price_text(self.contract, position.avg_entry)} · mark "
            f"{price_text(self.contract, position.mark_price)}"
        )
        for level in self._session.trading.protection(self.symbol):
            if level.order_id != self.existing_id:
                continue
            edit = self.sl_edit if level.kind == "SL" else self.tp_edit
            edit.setText(fmt(level.price))
            index = self.trigger_box.findData(level.trigger.value if level.trigger else "")
            if index >= 0:
                self.trigger_box.setCurrentIndex(index)
