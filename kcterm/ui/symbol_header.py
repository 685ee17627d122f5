"""The strip on top of a market panel: its symbol, a link toggle, and the panel's own controls."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QToolButton, QWidget

from kcterm import assets


class SymbolHeader(QWidget):
    """`chosen` fires when the user picks a symbol here; `set_symbol` follows from outside."""

    chosen = Signal(str)
    link_toggled = Signal(bool)

    def __init__(self, symbols: list[str], symbol: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.symbol_box = QComboBox()
        self.symbol_box.addItems(symbols)
        self.symbol_box.setCurrentText(symbol)
        self.symbol_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.link_button = QToolButton()
        self.link_button.setCheckable(True)
        self.link_button.setChecked(True)
        self.link_button.setAutoRaise(True)
        self._on_link(True)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(4, 2, 4, 2)
        self.layout_.setSpacing(6)
        self.layout_.addWidget(self.symbol_box)
        self.layout_.addWidget(self.link_button)
        self.layout_.addStretch(1)
        self.symbol_box.activated.connect(self._on_activated)
        self.link_button.toggled.connect(self._on_link)

    @property
    def linked(self) -> bool:
        return self.link_button.isChecked()

    @property
    def symbol(self) -> str:
        return self.symbol_box.currentText()

    def add(self, widget: QWidget) -> None:
        self.layout_.addWidget(widget)

    def set_symbol(self, symbol: str) -> None:
        self.symbol_box.blockSignals(True)
        self.symbol_box.setCurrentText(symbol)
        self.symbol_box.blockSignals(False)

    def _on_activated(self, _index: int) -> None:
        self.chosen.emit(self.symbol_box.currentText())

    def _on_link(self, linked: bool) -> None:
        self.link_button.setIcon(
            QIcon(str(assets.path("icons/link.svg" if linked else "icons/unlink.svg")))
        )
        self.link_button.setToolTip(
            "Linked: follows the symbol chosen in other linked panels (click to unlink)"
            if linked
            else "Not linked: keeps its own symbol (click to link)"
        )
        self.link_toggled.emit(linked)
