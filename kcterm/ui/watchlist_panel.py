"""Watchlist panel: every contract, sortable by any column; a click selects the symbol."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.session import Session
from kcterm.ui.columns import SORT_ROLE
from kcterm.ui.theme import monospace_font
from kcterm.ui.watchlist_model import WatchlistModel


class WatchlistPanel(QWidget):
    symbol_chosen = Signal(str)

    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._drawn_version = -1
        self.model = WatchlistModel(session.contracts)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setDynamicSortFilter(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("filter symbols")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # no caret at start
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView()
        self.view.setObjectName("watchlistView")
        self.view.setModel(self.proxy)
        self.view.setFont(monospace_font(9))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(20)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view)
        self.refresh()

    def set_symbol(self, symbol: str) -> None:
        self._symbol = symbol
        self._select_current()

    def refresh(self) -> None:
        watchlist = self._session.watchlist
        if watchlist.version == self._drawn_version:
            return
        first = self._drawn_version < 0
        self._drawn_version = watchlist.version
        self.model.set_rows([watchlist.rows[s] for s in sorted(watchlist.rows)])
        if first:
            self._select_current()

    def row_of(self, symbol: str) -> int:
        """The view row showing `symbol` (after sorting and filtering), or -1."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data() == symbol:
                return row
        return -1

    def _select_current(self) -> None:
        row = self.row_of(self._symbol)
        if row >= 0:
            self.view.selectRow(row)

    def _on_clicked(self, index: QModelIndex) -> None:
        symbol = self.proxy.index(index.row(), 0).data()
        if symbol:
            self._symbol = symbol
            self.symbol_chosen.emit(symbol)
