"""Journal panel: every order action and every exchange reply, newest at the bottom.

Errors show KuCoin's code and a sentence a trader understands (core.error_text). The view
follows new lines only while it is scrolled to the bottom, so reading older lines is possible
in a busy market.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.session import Session
from kcterm.ui.journal_model import JournalModel, is_reconcile_finding
from kcterm.ui.opaque_view import OpaqueTableView
from kcterm.ui.theme import monospace_font

KIND_COLUMN = 1


class JournalPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._drawn_version = -1
        self.model = JournalModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(KIND_COLUMN)
        self.errors_only = QCheckBox("Errors only")
        self.errors_only.toggled.connect(
            lambda on: self.proxy.setFilterFixedString("error" if on else "")
        )
        self.count_label = QLabel()
        self.view = OpaqueTableView()
        self.view.setModel(self.proxy)
        self.view.setFont(monospace_font(9))
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(18)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.errors_only)
        bar.addStretch(1)
        self._bar = bar
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def refresh(self) -> None:
        journal = self._session.journal
        if journal.version == self._drawn_version:
            return
        self._drawn_version = journal.version
        scrollbar = self.view.verticalScrollBar()
        at_bottom = scrollbar.value() >= scrollbar.maximum() - 2
        self.model.set_rows(list(journal.entries))
        errors = journal.error_count
        found = sum(1 for entry in journal.entries if is_reconcile_finding(entry))
        reconciled = f" · {found} reconciled" if found else ""
        self.count_label.setText(f"{len(journal)} lines · {errors} errors{reconciled}")
        if at_bottom:
            self.view.scrollToBottom()

    def add_export(self, action: QAction) -> QToolButton:
        """Put the profile's "export fills and PnL" action on the panel's bar too."""
        button = QToolButton()
        button.setObjectName("journalExportButton")
        button.setDefaultAction(action)
        button.setText("Export CSV…")
        self._bar.insertWidget(1, button)
        button.show()  # the panel may be on screen already: a late child must be shown
        return button
