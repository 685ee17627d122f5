"""Is an asyncio task still alive, or wedged for good?

A task can stop without ending. A nested event loop (a modal dialog's exec() inside a
coroutine) runs the loop's callbacks while one task is still being executed; every other task
woken there fails to enter ("Cannot enter into task ... while another task is being
executed"), the error goes to the loop's exception handler, and the task stays pending for
ever: the future it waited for is done, but it is never stepped again. Nothing awaiting it
ever hears of it, so a read loop dies this way without its connection noticing.

StuckWatch spots that state from outside: a pending task whose awaited future is done (or that
waits on nothing, as a task about to be stepped does) for longer than a loop iteration can
explain. A task that is merely busy or waiting is never reported. Checks must run from a plain
loop callback (call_later), not from a task: a nested loop kills the watcher's own task too.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

STUCK_AFTER_S = 1.0  # a woken task is stepped within one loop iteration; this is many


def end_reason(task: asyncio.Future[Any]) -> str:
    """How a finished task ended, in words for the log and the status bar."""
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    if exc is not None:
        text = str(exc)
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"returned {task.result()!r}"


def _waiting_on_nothing_live(task: asyncio.Future[Any]) -> bool:
    waiter = getattr(task, "_fut_waiter", None)  # C and Python tasks both expose it
    return waiter is None or waiter.done()


class StuckWatch:
    """Remembers since when each watched task has looked wedged; `stuck()` says if it is."""

    def __init__(self, after_s: float = STUCK_AFTER_S) -> None:
        self.after_s = after_s
        self._since: weakref.WeakKeyDictionary[asyncio.Future[Any], tuple[object, float]] = (
            weakref.WeakKeyDictionary()
        )

    def stuck(self, task: asyncio.Future[Any] | None, now: float | None = None) -> bool:
        if task is None or task.done():
            if task is not None:
                self._since.pop(task, None)
            return False
        now = time.monotonic() if now is None else now
        if not _waiting_on_nothing_live(task):
            self._since.pop(task, None)
            return False
        waiter = getattr(task, "_fut_waiter", None)
        seen = self._since.get(task)
        if seen is None or seen[0] is not waiter:
            # A new wake-up (a different future, or none): start timing it afresh.
            self._since[task] = (waiter, now)
            return False
        return now - seen[1] > self.after_s


ENTER_FAILURE = "Cannot enter into task"
REVIVE_EVERY_S = 0.05  # a wake-up that failed to enter is tried again this often
REVIVE_FOR_S = 600.0  # ...for as long as a dialog might stay open


def revive_later(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> bool:
    """Retry a task's wake-up that failed with "Cannot enter into task" (a nested event loop
    ran it while another task was being executed); True when `context` was such a failure.

    The wake-up is what the loop would have run had no nested loop been in the way, so running
    it once the nested loop is gone lets the task go on where it stopped, with nothing lost:
    its future is done and keeps its result. While the nested loop still runs, the retry fails
    the same way and is tried again a little later.
    """
    exc = context.get("exception")
    handle = context.get("handle")
    if not (isinstance(exc, RuntimeError) and ENTER_FAILURE in str(exc) and handle is not None):
        return False
    callback = getattr(handle, "_callback", None)
    args = getattr(handle, "_args", None) or ()
    if callback is None:
        return False
    deadline = time.monotonic() + REVIVE_FOR_S

    def again() -> None:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, asyncio.Future) and owner.done():
            return  # it ended meanwhile: nothing left to wake
        try:
            callback(*args)
        except RuntimeError as failure:
            if ENTER_FAILURE in str(failure) and time.monotonic() < deadline:
                loop.call_later(REVIVE_EVERY_S, again)
            else:
                raise

    loop.call_later(REVIVE_EVERY_S, again)
    return True
