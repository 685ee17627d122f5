"""A nested event loop inside a coroutine, caught the moment it starts.

`exec()` on a dialog, the static `QMessageBox`/`QInputDialog`/`QFileDialog` helpers and
`QEventLoop.exec()` all run a second Qt event loop. Inside an asyncio task that loop steps the
other tasks while this one is still running; asyncio refuses to enter them and they stop for
good (see ui/ask.py). The guard wraps those entry points: when one is called while an asyncio
task is running it logs an error (the app) or raises NestedModalError (tests, `strict`), so this
class of bug cannot come back unnoticed. Called from a plain Qt slot (no task running) they
behave as before.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

log = logging.getLogger("kcterm.ui.modal_guard")


class NestedModalError(RuntimeError):
    """A nested event loop was started inside a running asyncio task."""


_STATICS: dict[type, tuple[str, ...]] = {
    QMessageBox: ("question", "warning", "information", "critical", "about", "aboutQt"),
    QInputDialog: ("getText", "getInt", "getDouble", "getItem", "getMultiLineText"),
    QFileDialog: (
        "getOpenFileName",
        "getOpenFileNames",
        "getSaveFileName",
        "getExistingDirectory",
    ),
}
_METHODS: dict[type, tuple[str, ...]] = {
    QDialog: ("exec", "exec_"),
    QMessageBox: ("exec", "exec_"),
    QEventLoop: ("exec", "exec_"),
}

_originals: dict[tuple[type, str], Any] = {}
_state = {"strict": False}
violations: list[str] = []  # every nested loop seen, newest last (tests read and clear it)


def running_task() -> asyncio.Task[Any] | None:
    """The asyncio task running right now, if any (None outside a running loop)."""
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running event loop
        return None


def check(what: str) -> None:
    task = running_task()
    if task is None:
        return
    text = (
        f"{what} runs a nested event loop inside the asyncio task {task.get_name()} "
        f"({task.get_coro()!r}); the other tasks stop for good. Use ui.ask (open() and await)."
    )
    violations.append(text)
    log.error("%s", text)
    if _state["strict"]:
        raise NestedModalError(text)


def _guarded(what: str, original: Callable[..., Any]) -> Callable[..., Any]:
    # Not __doc__: PySide builds a method's doc from its signatures when asked, 3 ms each,
    # and install() runs at the app's start.
    @functools.wraps(original, assigned=("__module__", "__name__", "__qualname__"))
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check(what)
        return original(*args, **kwargs)

    return wrapper


def install(*, strict: bool = False) -> None:
    """Wrap the blocking entry points (once; a later call may only make it stricter)."""
    _state["strict"] = _state["strict"] or strict
    if _originals:
        return
    for cls, names in _STATICS.items():
        for name in names:
            original = getattr(cls, name)
            _originals[(cls, name)] = original
            setattr(cls, name, staticmethod(_guarded(f"{cls.__name__}.{name}()", original)))
    for cls, names in _METHODS.items():
        for name in names:
            original = cls.__dict__.get(name)
            if original is None:
                continue
            _originals[(cls, name)] = original
            setattr(cls, name, _guarded(f"{cls.__name__}.{name}()", original))


def uninstall() -> None:
    for (cls, name), original in _originals.items():
        setattr(cls, name, original)
    _originals.clear()
    _state["strict"] = False


def set_strict(strict: bool) -> None:
    _state["strict"] = strict
