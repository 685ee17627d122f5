"""An uncaught exception shows a dialog with a copyable report instead of a silent death.

The idea is vnpy's ExceptionWidget: the traceback in a read-only text box, a Copy button, and
the program goes on. CrashHandler catches both kinds of uncaught errors a Qt + asyncio program
has: exceptions escaping a Qt slot (sys.excepthook) and exceptions of asyncio tasks and
callbacks (the loop's exception handler). Reports are logged (redacted) and shown in one dialog
at a time; later ones are appended to it rather than stacking windows.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kcterm.crash_report import build_report, is_fatal, summary

log = logging.getLogger("kcterm.crash")


class CrashDialog(QDialog):
    def __init__(self, headline: str, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("kcterm — unexpected error")
        self.setObjectName("crashDialog")
        self.resize(760, 480)
        self.count = 1
        self.headline = QLabel(
            f"<b>Something went wrong:</b> {_escape(headline)}<br>"
            "kcterm keeps running. Orders already sent are unaffected; check the Orders panel. "
            "The report below is also in the log file — please copy it into a bug report."
        )
        self.headline.setWordWrap(True)
        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("Copy report")
        self.copy_button.clicked.connect(self.copy_report)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        # Quit is a choice of its own: closing the dialog (Esc, the title bar) keeps running.
        self.quit_button = buttons.addButton("Quit kcterm", QDialogButtonBox.ButtonRole.ActionRole)
        self.quit_button.clicked.connect(self.reject)
        self.keep_button = buttons.addButton("Keep running", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def add_report(self, report: str) -> None:
        self.count += 1
        self.text.appendPlainText(f"\n----- error {self.count} -----\n{report}")

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.copy_button.setText("Copied")


class CrashHandler:
    """Installs the hooks; `on_quit` runs when the user chooses Quit (or the error is fatal)."""

    def __init__(self, on_quit: Callable[[], None], *, show: bool = True) -> None:
        self.on_quit = on_quit
        self.show = show
        self.dialog: CrashDialog | None = None
        self.reports: list[str] = []
        self._previous_hook = sys.excepthook

    def install(self, loop: Any = None) -> None:
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_exception)

    def uninstall(self, loop: Any = None) -> None:
        sys.excepthook = self._previous_hook
        if loop is not None:
            loop.set_exception_handler(None)

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self.report(exc_type, exc, tb, "a Qt event handler")

    def loop_exception(self, loop: Any, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if exc is None:  # a message without an exception: asyncio's own warnings
            log.warning("asyncio: %s", context.get("message"))
            return
        self.report(type(exc), exc, exc.__traceback__, str(context.get("message", "asyncio")))

    def report(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        where: str,
    ) -> None:
        text = build_report(exc_type, exc, tb, where)
        self.reports.append(text)
        log.error("uncaught exception in %s\n%s", where, text)
        if is_fatal(exc):
            self.on_quit()
            return
        if not self.show:
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_report(text)
            return
        self.dialog = CrashDialog(summary(exc), text)
        self.dialog.quit_button.clicked.connect(self.on_quit)
        self.dialog.open()  # not exec(): no nested event loop inside an exception hook


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
