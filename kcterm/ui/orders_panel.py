"""Orders panel: open orders, stop orders (stops and TP/SL), order history and fills in tabs;
cancel one, all for the symbol, or all; edit an open order's price or size in place.

Cancels stay available when the feed is stale (they only reduce risk). Rows change when the
exchange's private feeds say so, never on the REST reply alone. An edit is a request the window
carries out (confirmation, then cancel-and-replace in core); its outcome shows in the bar.

An order on its way is never invisible (issue 10 item 6): one not confirmed within a moment is
a *pending* row with its age, the bar counts every pending order down while it waits for
rate-limit budget, and its ✕ cell (or the bar's Abandon button) makes kcterm stop trying it;
what became of it (placed / NOT placed, in the exchange's words) then shows in the bar.
"""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QModelIndex, Signal
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

from kcterm.core.pending_orders import WAITING, PendingOrder
from kcterm.core.session import Session
from kcterm.ui.fills_model import FillsModel
from kcterm.ui.history_model import HistoryModel
from kcterm.ui.opaque_view import OpaqueTableView
from kcterm.ui.open_orders_model import CANCEL_COLUMN, OpenOrdersModel
from kcterm.ui.stop_orders_model import STOP_CANCEL_COLUMN, StopOrdersModel
from kcterm.ui.theme import monospace_font
from kcterm.venue.errors import VenueError

FILLS_SHOWN = 500  # the newest fills in the tab (the session keeps up to 5,000)
# A pending order becomes a row once it has waited this long: most are confirmed sooner, and a
# row flashing for one frame before the open row replaces it would only be noise.
PENDING_ROW_AFTER_S = 0.4
PENDING_REDRAW_S = 0.25  # ages and countdowns move on screen this often


def _table(model) -> QTableView:
    view = OpaqueTableView()
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
    # order id, new price (or None), new open size (or None): the window modifies the order
    modify_requested = Signal(str, object, object)

    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn_open = -1
        self._drawn_history = -1
        self._drawn_stops = (-1, -1)
        self._drawn_fills = -1
        self._drawn_pending: tuple[int, int] = (-1, -1)
        self._drawn_outcome = session.trading.gateway.outcomes_version
        self.model = OpenOrdersModel(session.contracts)
        self.view = _table(self.model)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.clicked.connect(self._on_clicked)
        self.model.edit_requested.connect(self._on_edit)
        self.stop_model = StopOrdersModel(session.contracts, session.trading.brackets)
        self.stop_view = _table(self.stop_model)
        self.stop_view.clicked.connect(self._on_stop_clicked)
        self.history_model = HistoryModel(session.contracts)
        self.history_view = _table(self.history_model)
        self.fills_model = FillsModel(session.contracts)
        self.fills_view = _table(self.fills_model)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.view, "Open orders")
        self.tabs.addTab(self.stop_view, "Stop orders")
        self.tabs.addTab(self.history_view, "Order history")
        self.tabs.addTab(self.fills_view, "Fills")
        self.count_label = QLabel("0 open")
        self.message_label = QLabel()
        self.message_label.setObjectName("ordersMessage")
        self.message_label.setWordWrap(True)
        self.pending_label = QLabel()
        self.pending_label.setObjectName("ordersPending")
        self.pending_label.hide()
        self.abandon_button = QPushButton("Abandon")
        self.abandon_button.setObjectName("abandonPendingButton")
        self.abandon_button.setToolTip(
            "Stop trying to place the pending orders; kcterm checks each is not on the exchange"
        )
        self.abandon_button.clicked.connect(self.abandon_all)
        self.abandon_button.hide()
        self.cancel_all_button = QPushButton()
        self.cancel_all_button.clicked.connect(self._cancel_all)
        self.cancel_everywhere_button = QPushButton("Cancel all, every contract")
        self.cancel_everywhere_button.setObjectName("cancelEverywhereButton")
        self.cancel_everywhere_button.clicked.connect(self._cancel_everywhere)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.count_label)
        bar.addWidget(self.pending_label)
        bar.addWidget(self.abandon_button)
        bar.addWidget(self.message_label, 1)
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
        orders = self._session.trading.orders
        pending = self._session.trading.gateway.pending
        # Ages and countdowns change with time alone: redraw a few times a second meanwhile.
        tick = int(time.monotonic() / PENDING_REDRAW_S) if len(pending) else 0
        if orders.version != self._drawn_open or (pending.version, tick) != self._drawn_pending:
            self._drawn_open = orders.version
            self._drawn_pending = (pending.version, tick)
            # The feed may show the order open before the REST reply: then it is confirmed.
            confirmed = {o.client_oid for o in orders.all()}
            shown = [
                p
                for p in pending.all()
                if p.age_s >= PENDING_ROW_AFTER_S and p.client_oid not in confirmed
            ]
            self.model.set_rows([*shown, *orders.all()])
            self.count_label.setText(f"{len(orders)} open")
            self.tabs.setTabText(0, f"Open orders ({len(orders)})")
            # The bar counts what the rows show: an order the feed already confirmed is open,
            # not pending, even while its REST reply is still on its way (issue 10: the bar said
            # "1 pending" beside no pending row).
            self._show_pending([p for p in pending.all() if p.client_oid not in confirmed])
        gateway = self._session.trading.gateway
        if gateway.outcomes_version != self._drawn_outcome:
            self._drawn_outcome = gateway.outcomes_version
            level, text = gateway.outcomes[-1]
            self.show_message(text, level == "error")
        stops = self._session.trading.stop_orders
        if (stops.version, self._session.trading.brackets.version) != self._drawn_stops:
            self._drawn_stops = (stops.version, self._session.trading.brackets.version)
            self.stop_model.set_rows(stops.all())
            self.tabs.setTabText(1, f"Stop orders ({len(stops)})")
        history = self._session.trading.history
        if history.version != self._drawn_history:
            self._drawn_history = history.version
            self.history_model.set_rows(history.all())
            self.tabs.setTabText(2, f"Order history ({len(history)})")
        fills = self._session.trading.fills
        if fills.version != self._drawn_fills:
            self._drawn_fills = fills.version
            self.fills_model.set_rows(fills.all()[:FILLS_SHOWN])
            self.tabs.setTabText(3, f"Fills ({len(fills)})")

    def _show_pending(self, rows: list[PendingOrder]) -> None:
        """The bar's line: how many orders are on their way, and the longest budget wait."""
        self.pending_label.setVisible(bool(rows))
        self.abandon_button.setVisible(bool(rows))
        if not rows:
            return
        waits = [p.wait_left_s for p in rows if p.state == WAITING]
        known = [w for w in waits if w is not None]
        text = f"{len(rows)} pending"
        if known:
            text += f" · rate-limit budget in {max(known):.0f} s"
        elif waits:
            text += " · waiting for rate-limit budget"
        self.pending_label.setText(text)

    def abandon(self, client_oid: str) -> bool:
        """Stop trying one pending order; its outcome shows in the bar once it is known."""
        if not self._session.trading.gateway.abandon(client_oid):
            return False
        self.show_message(f"Abandoning order {client_oid}: checking the exchange…")
        return True

    def abandon_all(self) -> int:
        count = sum(self.abandon(p.client_oid) for p in self._session.trading.gateway.pending.all())
        return count

    def show_message(self, text: str, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("error", error)
        self.message_label.style().polish(self.message_label)

    def _on_edit(self, order_id: str, field: str, text: str) -> None:
        order = self._session.trading.orders.get(order_id)  # a pending row is never in here
        if order is None:
            return
        cleaned = text.strip().replace(",", "")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            self.show_message(f"Not changed: {text!r} is not a number.", True)
            return
        if field == "price":
            if number == order.price:
                return
            self.modify_requested.emit(order_id, number, None)
            return
        if not number.is_finite() or number != number.to_integral_value():
            self.show_message("Not changed: the size is a whole number of lots.", True)
            return
        if int(number) != order.remaining:
            self.modify_requested.emit(order_id, None, int(number))

    def _on_stop_clicked(self, index: QModelIndex) -> None:
        if index.column() == STOP_CANCEL_COLUMN:
            self.cancel_stop_row(index.row())

    @asyncSlot(int)
    async def cancel_stop_row(self, row: int) -> None:
        order = self.stop_model.row_at(row)
        try:
            await self._session.trading.cancel_stop(order.order_id)
        except VenueError:
            pass  # the session journals why; the row stays until the feed says otherwise

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == CANCEL_COLUMN:
            self.cancel_row(index.row())

    @asyncSlot(int)
    async def cancel_row(self, row: int) -> None:
        order = self.model.order_at(row)
        if isinstance(order, PendingOrder):
            self.abandon(order.client_oid)
            return
        try:
            await self._session.trading.cancel(order.order_id)
        except VenueError:
            pass  # the session journals why; the row stays until the feed says otherwise

    @asyncSlot()
    async def _cancel_all(self) -> None:
        try:
            await self._session.trading.cancel_all(self._symbol)
        except VenueError:
            pass  # journaled by the session

    @asyncSlot()
    async def _cancel_everywhere(self) -> None:
        self.cancel_everywhere_button.setEnabled(False)
        try:
            await self._session.trading.cancel_all_everywhere()
        except VenueError:
            pass  # journaled by the session
        finally:
            self.cancel_everywhere_button.setEnabled(True)
