"""A small window with a busy bar while a venue connects (clock, contracts, streams, orders).

Connecting takes from a blink on the embedded exchange to several seconds on a slow link; the
qasync loop keeps running meanwhile, so the bar moves and the user sees work, not nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


class ConnectProgress(QWidget):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Dialog)
        self.setWindowTitle("kcterm")
        self.setObjectName("connectProgress")
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate: how long the venue takes is unknown
        self.bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.setMinimumWidth(360)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
