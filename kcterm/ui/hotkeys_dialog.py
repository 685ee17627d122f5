"""A dialog to rebind the hotkeys (QKeySequenceEdit per action)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QKeySequenceEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kcterm.ui.hotkeys import HOTKEYS, Hotkeys


class HotkeysDialog(QDialog):
    def __init__(self, hotkeys: Hotkeys, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hotkeys")
        self._hotkeys = hotkeys
        self.edits: dict[str, QKeySequenceEdit] = {}
        form = QFormLayout()
        for spec in HOTKEYS:
            edit = QKeySequenceEdit(hotkeys.sequence(spec.name))
            form.addRow(spec.label, edit)
            self.edits[spec.name] = edit
        defaults = QPushButton("Restore defaults")
        defaults.clicked.connect(self._defaults)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(defaults)
        layout.addWidget(buttons)

    def accept(self) -> None:
        for name, edit in self.edits.items():
            self._hotkeys.set_sequence(name, edit.keySequence())
        super().accept()

    def _defaults(self) -> None:
        self._hotkeys.restore_defaults()
        for name, edit in self.edits.items():
            edit.setKeySequence(self._hotkeys.sequence(name))
