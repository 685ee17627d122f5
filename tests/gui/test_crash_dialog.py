"""An uncaught exception shows a copyable, redacted report and kcterm keeps running."""

from __future__ import annotations

import asyncio
import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from kcterm.logging_setup import REDACTOR
from kcterm.ui.crash_dialog import CrashHandler
from tests.gui.conftest import until

SECRET = "crash-test-secret-123"


@pytest.mark.qt_no_exception_capture  # the handler under test is the one catching it
async def test_a_slot_exception_opens_one_dialog_and_the_loop_goes_on(qtbot, qloop) -> None:
    REDACTOR.add(SECRET)
    quits: list[int] = []
    handler = CrashHandler(lambda: quits.append(1))
    handler.install(qloop)
    later: list[str] = []
    try:

        def boom() -> None:
            raise ValueError(f"bad reply with {SECRET}")

        QTimer.singleShot(0, boom)
        QTimer.singleShot(0, boom)  # a second error joins the open dialog
        QTimer.singleShot(20, lambda: later.append("still running"))
        await until(lambda: later == ["still running"], 3, "the loop to go on after the errors")
        dialog = handler.dialog
        assert dialog is not None and dialog.isVisible() and dialog.count == 2
        text = dialog.text.toPlainText()
        assert SECRET not in text and "«redacted»" in text
        assert "ValueError: bad reply with «redacted»" in text and "in boom" in text
        assert "Python 3" in text and "Where: a Qt event handler" in text
        dialog.copy_button.click()
        assert QGuiApplication.clipboard().text() == text
        assert quits == []
        dialog.close()  # closing is not quitting
        assert quits == []
        QTimer.singleShot(0, boom)
        await until(
            lambda: handler.dialog is not dialog and handler.dialog.isVisible(), 5, "a new dialog"
        )
        handler.dialog.quit_button.click()
        assert quits == [1]
    finally:
        handler.uninstall(qloop)
    assert sys.excepthook is not handler.excepthook


async def test_asyncio_callback_errors_are_reported_too(qtbot, qloop) -> None:
    handler = CrashHandler(lambda: None, show=False)
    handler.install(qloop)
    try:

        def fails() -> None:
            raise RuntimeError("in a callback")

        qloop.call_soon(fails)
        await asyncio.sleep(0.05)
    finally:
        handler.uninstall(qloop)
    assert len(handler.reports) == 1 and "RuntimeError: in a callback" in handler.reports[0]
    assert handler.dialog is None  # show=False (--screenshot runs): logged only


def test_a_fatal_error_quits_without_a_dialog(qtbot) -> None:
    quits: list[int] = []
    handler = CrashHandler(lambda: quits.append(1))
    handler.excepthook(MemoryError, MemoryError("out of memory"), None)
    assert quits == [1] and handler.dialog is None
