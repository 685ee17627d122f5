"""Trades tape panel: the symbol's recent executions, newest on top.

Refreshed 8 times a second (refresh_hz): in a fast market prints come by the hundred a second,
and a tape scrolling faster than that cannot be read; each refresh inserts the new prints at
the top in one go.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.market_data import SymbolLease
from kcterm.core.session import Session
from kcterm.ui.opaque_view import OpaqueTableView
from kcterm.ui.symbol_header import SymbolHeader
from kcterm.ui.tape_model import TapeModel
from kcterm.ui.theme import monospace_font


class TapePanel(QWidget):
    refresh_hz = 8  # the frame clock calls refresh() at this rate (ui.frame_clock)

    def __init__(self, session: Session, symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._lease = SymbolLease(session.market_data, "tape panel", symbol)
        self._drawn_version = -1
        self.header = SymbolHeader(sorted(session.contracts), symbol)
        self.large_box = QSpinBox()
        self.large_box.setRange(0, 10_000_000)
        self.large_box.setSpecialValueText("auto")
        self.large_box.setPrefix("large ≥ ")
        self.large_box.setToolTip("Prints of at least this many lots are highlighted")
        self.large_box.valueChanged.connect(self._on_large_changed)
        self.header.add(self.large_box)
        self.model = TapeModel()
        self.view = OpaqueTableView()
        self.view.setModel(self.model)
        self.view.setFont(monospace_font(9))
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(17)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.view)

    @property
    def symbol(self) -> str:
        return self._symbol

    def set_symbol(self, symbol: str) -> None:
        self._lease.follow(symbol)
        self._symbol = symbol
        self.header.set_symbol(symbol)
        self._drawn_version = -1
        self.refresh()

    def refresh(self) -> None:
        tape = self._session.market_data.tapes.get(self._symbol)
        if tape is None or tape.version == self._drawn_version:
            return
        self._drawn_version = tape.version
        self.model.set_trades(list(tape.trades), self._session.contracts.get(self._symbol))
        # New prints are rows inserted at the top, and a view lays rows out on a zero timer
        # after their insertion: the tape's repaint then came as a window repaint of its own,
        # a couple of milliseconds after the one of the rest of this frame. Laid out now, it
        # joins this frame's repaint.
        self.view.executeDelayedItemsLayout()

    def _on_large_changed(self, value: int) -> None:
        self.model.large_size = value
        self.model.refresh_colors()
