"""The symbol link: a symbol chosen in one linked panel follows in every other linked panel."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SymbolLink(QObject):
    """One link group. Panels call `select`; the window listens to `symbol_changed`."""

    symbol_changed = Signal(str)

    def __init__(self, symbol: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._symbol = symbol

    @property
    def symbol(self) -> str:
        return self._symbol

    def select(self, symbol: str) -> None:
        if symbol and symbol != self._symbol:
            self._symbol = symbol
            self.symbol_changed.emit(symbol)
