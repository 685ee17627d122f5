"""Order book ladder panel.

A click on a level puts its price into the ticket. With one-click trading on (it is off at every
start and only an explicit toggle turns it on) a click on a bid places a buy and a click on an
ask places a sell at that price, for the ticket's size; the window routes it through the same
checks and confirmations as the ticket. While the feed is stale the toggle is disabled and
clicks only copy prices.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, QModelIndex, QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.interlock import Gate
from kcterm.core.ladder import GROUP_MULTIPLES, own_sizes
from kcterm.core.market_data import SymbolLease
from kcterm.core.session import Session
from kcterm.ui.book_model import MINE, BookModel
from kcterm.ui.ladder_delegate import LadderBarDelegate, LadderView
from kcterm.ui.symbol_header import SymbolHeader
from kcterm.ui.theme import monospace_font


class BookPanel(QWidget):
    price_clicked = Signal(Decimal)
    order_requested = Signal(str, Decimal)  # side, price (one-click trading)

    def __init__(
        self, session: Session, symbol: str, depth: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._lease = SymbolLease(session.market_data, "book panel", symbol)
        self._drawn = (-1, -1)
        self._own: dict[tuple[str, Decimal], int] | None = None  # own lots by (side, group)
        self._gate = Gate(False, "Waiting for market data")
        self._auto_depth = depth is None  # fit the ladder to the panel's height
        self.header = SymbolHeader(sorted(session.contracts), symbol)
        self.group_box = QComboBox()
        self.group_box.setToolTip("Group price levels by a multiple of the tick")
        self.group_box.currentIndexChanged.connect(self._on_group_changed)
        self.one_click = QPushButton("1-click OFF")
        self.one_click.setObjectName("oneClickButton")
        self.one_click.setCheckable(True)
        self.one_click.setChecked(False)  # never on at start, whatever was saved
        self.one_click.toggled.connect(self._on_one_click)
        self.header.add(self.group_box)
        self.header.add(self.one_click)
        self.model = BookModel(depth or 15)
        self.view = LadderView()
        self.view.setObjectName("ladderView")
        self.view.setModel(self.model)
        self.view.setItemDelegate(LadderBarDelegate(self.view))
        self.view.setFont(monospace_font(9))
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(17)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MINE, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(MINE, 44)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.clicked.connect(self._on_clicked)
        self.view.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.view)
        self._fill_groups()
        self.set_gate(self._gate)

    @property
    def symbol(self) -> str:
        return self._symbol

    @property
    def multiple(self) -> int:
        return int(self.group_box.currentData() or 1)

    @property
    def one_click_on(self) -> bool:
        return self.one_click.isChecked()

    def set_symbol(self, symbol: str) -> None:
        self._lease.follow(symbol)
        self._symbol = symbol
        self.header.set_symbol(symbol)
        self._fill_groups()
        self._drawn = (-1, -1)
        self.refresh()

    def set_group(self, multiple: int) -> None:
        index = self.group_box.findData(multiple)
        if index >= 0:
            self.group_box.setCurrentIndex(index)

    def set_gate(self, gate: Gate) -> None:
        """Trading allowed or not; the toggle shows why not."""
        self._gate = gate
        self.one_click.setEnabled(gate.open)
        self.one_click.setToolTip(
            "Click a bid to buy, an ask to sell, at that price, with the ticket's size"
            if gate.open
            else f"One-click trading unavailable: {gate.reason}"
        )

    def refresh(self) -> None:
        """On every frame: redraw when the book or the user's orders moved, else nothing."""
        book = self._session.market_data.books.get(self._symbol)
        if book is None:
            return
        orders = self._session.trading.orders
        drawn = (book.version, orders.version)
        if drawn == self._drawn:
            return
        contract = self._session.contracts.get(self._symbol)
        if orders.version != self._drawn[1] or self._own is None:
            self._own = {}
            if contract is not None:
                step = contract.tick_size * self.multiple
                self._own = own_sizes(orders.all(), self._symbol, step)
        self._drawn = drawn
        self.model.update_from(book, contract, self.multiple, self._own)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_depth()
        return super().eventFilter(watched, event)

    def _fit_depth(self) -> None:
        """As many levels per side as the panel's height shows (when no depth was given)."""
        if not self._auto_depth:
            return
        rows = self.view.viewport().height() // self.view.verticalHeader().defaultSectionSize()
        depth = max(5, (rows - 1) // 2)
        if depth != self.model.depth:
            self.model.set_depth(depth)
            self._drawn = (-1, -1)
            self.refresh()

    def _fill_groups(self) -> None:
        contract = self._session.contracts.get(self._symbol)
        if contract is None:
            return
        self.group_box.blockSignals(True)
        self.group_box.clear()
        for multiple in GROUP_MULTIPLES:
            step = (contract.tick_size * multiple).normalize()
            self.group_box.addItem(f"{step:f}", multiple)
        self.group_box.blockSignals(False)
        self.group_box.setCurrentIndex(0)

    def _on_group_changed(self, _index: int) -> None:
        self._drawn = (-1, -1)
        self.refresh()

    def _on_one_click(self, on: bool) -> None:
        self.one_click.setText("1-click ON" if on else "1-click OFF")
        self.one_click.setProperty("armed", on)
        self.one_click.style().polish(self.one_click)

    def _on_clicked(self, index: QModelIndex) -> None:
        price = self.model.prices[index.row()]
        if price is None:
            return
        side = self.model.row_at(index.row()).side
        if self.one_click_on and self._gate.open and side in ("bid", "ask"):
            self.order_requested.emit("buy" if side == "bid" else "sell", price)
        else:
            self.price_clicked.emit(price)
