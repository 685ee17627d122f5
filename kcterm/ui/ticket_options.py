"""The ticket's order options: time in force, post-only, reduce-only, hidden, iceberg with its
visible size, close position. Flags that only a limit order can carry are disabled for the
market kinds, so the ticket never offers a combination the exchange refuses."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget


class TicketOptions(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tif_box = QComboBox()
        self.tif_box.addItem("GTC", "GTC")
        self.tif_box.addItem("IOC", "IOC")
        self.tif_box.setToolTip("Good till cancelled, or immediate or cancel (limit orders)")
        self.post_only = QCheckBox("Post-only")
        self.post_only.setToolTip("Refused instead of taking liquidity: always the maker fee")
        self.reduce_only = QCheckBox("Reduce-only")
        self.reduce_only.setToolTip("Only ever makes the position smaller")
        self.hidden = QCheckBox("Hidden")
        self.hidden.setToolTip("Not shown in the book (pays the taker fee)")
        self.iceberg = QCheckBox("Iceberg")
        self.iceberg.setToolTip("Shows only the visible size at a time (pays the taker fee)")
        self.visible_edit = QLineEdit()
        self.visible_edit.setPlaceholderText("visible lots")
        self.visible_edit.setEnabled(False)
        self.close_position = QCheckBox("Close position")
        self.close_position.setToolTip("Closes the whole position, whatever its size then")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        grid.addWidget(QLabel("TIF"), 0, 0)
        grid.addWidget(self.tif_box, 0, 1)
        grid.addWidget(self.post_only, 0, 2)
        grid.addWidget(self.reduce_only, 0, 3)
        grid.addWidget(self.hidden, 1, 0, 1, 2)
        grid.addWidget(self.iceberg, 1, 2)
        grid.addWidget(self.visible_edit, 1, 3)
        grid.addWidget(self.close_position, 2, 0, 1, 4)
        self.iceberg.toggled.connect(self.visible_edit.setEnabled)
        for box in (self.post_only, self.reduce_only, self.hidden, self.iceberg):
            box.toggled.connect(lambda _on: self.changed.emit())
        self.close_position.toggled.connect(lambda _on: self.changed.emit())
        self.tif_box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.visible_edit.textEdited.connect(lambda _t: self.changed.emit())

    def set_limit_kind(self, limit: bool) -> None:
        """Only limit orders take time in force, post-only, hidden and iceberg (with its visible
        size): for the market kinds they are disabled, and their ticks are kept for later."""
        for widget in (self.tif_box, self.post_only, self.hidden, self.iceberg):
            widget.setEnabled(limit)
        self.visible_edit.setEnabled(limit and self.iceberg.isChecked())

    def draft_fields(self, limit: bool) -> dict[str, Any]:
        """The OrderDraft keyword arguments these options stand for."""
        return {
            "time_in_force": str(self.tif_box.currentData()) if limit else "GTC",
            "post_only": limit and self.post_only.isChecked(),
            "reduce_only": self.reduce_only.isChecked(),
            "hidden": limit and self.hidden.isChecked(),
            "iceberg": limit and self.iceberg.isChecked(),
            "visible_size": self.visible_edit.text(),
            "close_position": self.close_position.isChecked(),
        }

    def widget_for(self, field: str) -> QWidget | None:
        return {
            "visible": self.visible_edit,
            "tif": self.tif_box,
            "post_only": self.post_only,
            "reduce_only": self.reduce_only,
            "close_position": self.close_position,
        }.get(field)
