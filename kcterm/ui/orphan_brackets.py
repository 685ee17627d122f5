"""The orphaned TP/SL the last reconcile found (closing stops with no entry and no position,
core/bracket_guard.py), listed with a check box each and cancelled on the trader's click.

Shown with open(), never exec(): a nested event loop inside the qasync loop kills the stream
read loops (issue 10). The cancel runs as a task; the dialog closes when it is done.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.session import Session


class OrphanBracketsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setWindowTitle("Orphaned TP/SL")
        self.task: asyncio.Future[list[str]] | None = None
        self.intro = QLabel(
            "These stop orders close a position that does not exist and protect no open "
            "order. Left alone, one could trade against a later position."
        )
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(
            "Cancel the checked orders", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button.setObjectName("cancelOrphans")
        self.keep_button = self.buttons.addButton("Keep", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.clicked.connect(self._cancel_checked)
        self.keep_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list)
        layout.addWidget(self.buttons)
        self.fill()

    def fill(self) -> None:
        self.list.clear()
        for orphan in self._session.trading.orphan_brackets:
            item = QListWidgetItem(orphan.describe())
            item.setData(Qt.ItemDataRole.UserRole, orphan.order_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)

    def checked_ids(self) -> list[str]:
        out = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _cancel_checked(self) -> None:
        ids = self.checked_ids()
        if not ids or self.task is not None:
            return
        self.cancel_button.setEnabled(False)
        self.task = asyncio.ensure_future(self._session.trading.cancel_orphan_brackets(ids))
        self.task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[list[str]]) -> None:
        self.task = None
        self.cancel_button.setEnabled(True)
        if task.cancelled() or task.exception() is not None:
            self.fill()  # what could not be cancelled stays listed (the session notified)
            return
        self.fill()
        if self.list.count() == 0:
            self.accept()
