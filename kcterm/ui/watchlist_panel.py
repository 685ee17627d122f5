"""Watchlist panel: every contract, sortable by any column; a click selects the symbol.

Columns are never cut: each is as wide as its widest text (and its header), and when the dock
is too narrow for all of them the least needed are hidden (Mark first, then Volume, Funding,
24h %; Symbol and Last always stay). They come back when the dock is widened; spare width is
shared out so the table still fills the dock.

Refreshed 4 times a second (refresh_hz): every contract's last price streams in; the columns
are fitted again only when the widest text of a column changed length (the font is
monospaced), not on a count of frames.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.session import Session
from kcterm.ui.columns import SORT_ROLE
from kcterm.ui.opaque_view import OpaqueTableView
from kcterm.ui.theme import monospace_font
from kcterm.ui.watchlist_model import WatchlistModel

# Column titles in the order they are kept when the width runs out (the first two always are).
KEEP_ORDER = ("Symbol", "Last", "24h %", "Funding", "Volume", "Mark")


class WatchlistPanel(QWidget):
    refresh_hz = 4  # the frame clock calls refresh() at this rate (ui.frame_clock)
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
        self.view = OpaqueTableView()
        self.view.setObjectName("watchlistView")
        self.view.setModel(self.proxy)
        self.view.setFont(monospace_font(9))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(20)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # fit_columns sizes them
        header.setMinimumSectionSize(20)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.viewport().installEventFilter(self)
        self._fitted: tuple[int, ...] = ()  # the widest text of each column when last fitted
        self.fits = 0  # how many times the columns were fitted (tests read it)
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
        watchlist = self._session.market_data.watchlist
        if watchlist.version == self._drawn_version:
            return
        first = self._drawn_version < 0
        self._drawn_version = watchlist.version
        self.model.set_rows([watchlist.rows[s] for s in sorted(watchlist.rows)])
        if first:
            self._select_current()
        if self._resize_pending():
            return  # that Resize event fits the columns (eventFilter), at the size shown
        if first or self.model.text_widths() != self._fitted:
            self.fit_columns()

    def _resize_pending(self) -> bool:
        """The view's viewport has a Resize event still to come: it was never shown, or it was
        resized while hidden. Qt sends it when the viewport is shown, before it paints, and
        eventFilter fits the columns then; fitting them before (as the window is built, at a
        size it is not shown at: issue 14) would be thrown away."""
        return self.view.viewport().testAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def fit_columns(self) -> None:
        """Show the columns that fit whole, in KEEP_ORDER, each at least its content's width."""
        self._fitted = self.model.text_widths()
        self.fits += 1
        header = self.view.horizontalHeader()
        titles = [
            str(self.model.headerData(c, Qt.Orientation.Horizontal))
            for c in range(self.model.columnCount())
        ]
        for column in range(len(titles)):
            header.setSectionHidden(column, False)  # a hidden section's size hint is 0
        needed = {
            c: max(header.sectionSizeHint(c), self.view.sizeHintForColumn(c))
            for c in range(len(titles))
        }
        available = self.view.viewport().width()
        shown: list[int] = []
        used = 0
        order = [t for t in KEEP_ORDER if t in titles] + [t for t in titles if t not in KEEP_ORDER]
        for rank, title in enumerate(order):
            column = titles.index(title)
            if rank < 2 or used + needed[column] <= available:
                shown.append(column)
                used += needed[column]
        spare = max(0, available - used)
        for column in range(len(titles)):
            header.setSectionHidden(column, column not in shown)
        for i, column in enumerate(sorted(shown)):
            share = spare // len(shown) + (1 if i < spare % len(shown) else 0)
            header.resizeSection(column, needed[column] + share)

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
