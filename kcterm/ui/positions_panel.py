"""Positions panel: every open position with its figures and its TP/SL, and the actions on it
(market close, limit close at the touch, close half, reverse, TP/SL) as buttons for the
selected position (or the only one) and in each row's context menu, and "Flatten all" for
everything at once.

The panel only asks: the window decides (confirmation policy, the TP/SL dialog) and the
session acts. Rows change when the exchange's position feed says so.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.protection import describe_levels
from kcterm.core.session import Session
from kcterm.ui.formatting import price_text
from kcterm.ui.opaque_view import OpaqueTableView
from kcterm.ui.orphan_brackets import OrphanBracketsDialog
from kcterm.ui.positions_model import ACTIONS, PositionRow, PositionsModel
from kcterm.ui.theme import monospace_font


class PositionsPanel(QWidget):
    action_requested = Signal(str, str)  # action (positions_model.ACTIONS), symbol
    flatten_requested = Signal()
    symbol_chosen = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._drawn = (-1, -1, -1)
        self.model = PositionsModel()
        self.view = OpaqueTableView()
        self.view.setModel(self.model)
        self.view.setFont(monospace_font(8))  # fifteen columns in half the window
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(19)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setStyleSheet("QHeaderView::section { padding: 2px 3px; }")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._enable_buttons())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.doubleClicked.connect(
            lambda index: self.symbol_chosen.emit(self.model.symbol_at(index.row()))
        )
        self.count_label = QLabel("no positions")
        self.buttons: dict[str, QPushButton] = {}
        for action, label, tip in ACTIONS:
            button = QPushButton(label)
            button.setObjectName(f"position_{action}")
            button.setToolTip(tip)
            button.setEnabled(False)
            button.clicked.connect(lambda _on=False, a=action: self.request(a))
            self.buttons[action] = button
        self.flatten_button = QPushButton("Flatten all")
        self.flatten_button.setObjectName("flattenButton")
        self.flatten_button.setToolTip("Cancel every order and stop, close every position")
        self.flatten_button.clicked.connect(self.flatten_requested)
        # Shown only while the last reconcile found TP/SL with no entry and no position.
        self.orphans_button = QPushButton("Orphaned TP/SL")
        self.orphans_button.setObjectName("orphanBrackets")
        self.orphans_button.setToolTip("Stop orders that protect nothing: review and cancel")
        self.orphans_button.setVisible(False)
        self.orphans_button.clicked.connect(self.show_orphans)
        self.orphans_dialog: OrphanBracketsDialog | None = None
        self._drawn_orphans = -1
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        for button in self.buttons.values():
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.orphans_button)
        bar.addWidget(self.flatten_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def refresh(self) -> None:
        session = self._session
        if session.trading.orphans_version != self._drawn_orphans:
            self._drawn_orphans = session.trading.orphans_version
            count = len(session.trading.orphan_brackets)
            self.orphans_button.setText(f"Orphaned TP/SL ({count})")
            self.orphans_button.setVisible(count > 0)
            if self.orphans_dialog is not None and self.orphans_dialog.task is None:
                self.orphans_dialog.fill()
        drawn = (
            session.account.positions.version,
            session.trading.stop_orders.version,
            session.trading.brackets.version,
        )
        if drawn == self._drawn:
            return
        self._drawn = drawn
        rows = []
        for position in session.account.positions.all():
            contract = session.contracts.get(position.symbol)
            levels = session.trading.protection(position.symbol)
            text = describe_levels(levels, lambda p, c=contract: price_text(c, p))
            rows.append(PositionRow(position, contract, text))
        selected = self.selected_symbol()
        self.model.set_rows(rows)
        symbols = [r.position.symbol for r in rows]
        if selected in symbols and self.selected_symbol() is None:
            self.view.selectRow(symbols.index(selected))  # kept across a reset of the rows
        self._enable_buttons()
        count = len(rows)
        self.count_label.setText(
            f"{count} position{'s' if count > 1 else ''}" if count else "no positions"
        )

    def show_orphans(self) -> None:
        """The orphan list, non-modal (open(), never exec(): issue 10)."""
        if self.orphans_dialog is None:
            self.orphans_dialog = OrphanBracketsDialog(self._session, self)
        self.orphans_dialog.fill()
        self.orphans_dialog.open()

    def selected_symbol(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows or rows[0].row() >= self.model.rowCount():
            return None
        return self.model.symbol_at(rows[0].row())

    def target_symbol(self) -> str | None:
        """What the buttons act on: the selected position, or the only one there is (left
        unselected, so its PnL keeps its colour)."""
        selected = self.selected_symbol()
        if selected is None and self.model.rowCount() == 1:
            return self.model.symbol_at(0)
        return selected

    def _enable_buttons(self) -> None:
        target = self.target_symbol() is not None
        for button in self.buttons.values():
            button.setEnabled(target)

    def request(self, action: str, row: int | None = None) -> None:
        """Ask for `action` on the position in `row` (default: the buttons' target)."""
        symbol = self.target_symbol() if row is None else self.model.symbol_at(row)
        if symbol is not None:
            self.action_requested.emit(action, symbol)

    def _menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        if not index.isValid():
            return
        menu = QMenu(self)
        row = index.row()
        for action, label, tip in ACTIONS:
            item = menu.addAction(label)
            item.setToolTip(tip)
            item.triggered.connect(lambda _on=False, a=action: self.request(a, row))
        menu.popup(self.view.viewport().mapToGlobal(point))
