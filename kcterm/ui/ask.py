"""Confirmations without a nested event loop: a message box shown with `open()`, its answer
delivered to an asyncio future.

`QMessageBox.question` and `QDialog.exec()` run a second event loop. Called inside a coroutine,
that loop wakes the other asyncio tasks (the stream read loops among them) while this one is
still running, and asyncio refuses to enter them ("Cannot enter into task ... while another task
is running"): they never run again, the book freezes and the window cannot close. `await ask()`
instead returns to the one loop while the trader reads the question.

The box is window-modal (the rest of the desk stays blocked for input, not for data), and it is
answered "no" if its window closes or is deleted first, so an awaited action never proceeds
behind a window that is gone. `inform()` shows a message the same way, without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("kcterm.ui.ask")

Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No

# Every confirmation still waiting for its answer, so a closing window can dismiss its own.
_open: weakref.WeakKeyDictionary[QMessageBox, asyncio.Future[bool]] = weakref.WeakKeyDictionary()


async def ask(parent: QWidget | None, title: str, text: str, *, live: bool = False) -> bool:
    """Ask a yes/no question; True only when the trader presses Yes.

    `live` marks a real-money question: a warning icon and No as the default button, so an
    Enter pressed out of habit does not send a real order.
    """
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    icon = QMessageBox.Icon.Warning if live else QMessageBox.Icon.Question
    box = QMessageBox(icon, title, text, Yes | No, parent)
    box.setObjectName("confirmation")
    box.setDefaultButton(No if live else Yes)
    box.setEscapeButton(No)
    box.setWindowModality(Qt.WindowModality.WindowModal)

    def finished(_result: int) -> None:
        if not answer.done():
            answer.set_result(box.clickedButton() is box.button(Yes))

    def parent_gone(_obj: QObject | None = None) -> None:
        if not answer.done():
            answer.set_result(False)

    box.finished.connect(finished)
    if parent is not None:
        parent.destroyed.connect(parent_gone)
    _open[box] = answer
    box.open()
    try:
        return await answer
    finally:
        _open.pop(box, None)
        if shiboken6.isValid(box):
            box.finished.disconnect(finished)
            box.close()  # also when the awaiting task was cancelled: no orphan question
            box.deleteLater()
        if parent is not None and shiboken6.isValid(parent):
            parent.destroyed.disconnect(parent_gone)


def dismiss(parent: QWidget) -> int:
    """Answer "no" to every confirmation still open over `parent` (its window is closing);
    returns how many there were."""
    count = 0
    for box, answer in list(_open.items()):
        if not shiboken6.isValid(box) or answer.done():
            continue
        owner = box.parentWidget()
        if owner is not None and (owner is parent or parent.isAncestorOf(owner)):
            answer.set_result(False)
            box.reject()
            count += 1
    return count


def pending() -> list[QMessageBox]:
    """The confirmations waiting for an answer (for tests and diagnostics)."""
    return [box for box, answer in _open.items() if shiboken6.isValid(box) and not answer.done()]


def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> QMessageBox:
    """Show a message and return at once (never a nested event loop); it deletes itself."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("notice")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is not None:
        box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    log.info("%s: %s", title, text)
    return box
