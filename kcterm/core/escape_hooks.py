"""Where exceptions that escaped their task end up, while a session is open.

Three doors: a session task's own end (a done callback, Session._spawn), the loop's exception
handler (callbacks, "Task exception was never retrieved", a task that a nested event loop
could not enter) and sys.excepthook (qasync hands an @asyncSlot coroutine's exception to it).
EscapeHooks puts itself in front of the last two, passes every report on to the handler that
was there before (the crash dialog, pytest-qt's capture) and gives the session a report.
A task that failed to enter is woken again later (venue.task_health.revive_later).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from kcterm.venue.task_health import revive_later

Report = Callable[[str, BaseException], None]  # where, the exception
LoopHandler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


def _transport_noise(context: dict[str, Any], exc: BaseException) -> bool:
    """A socket error reported by a transport says nothing about our state: the streams and
    the REST client notice and retry on their own."""
    return isinstance(exc, OSError) and ("transport" in context or "protocol" in context)


class EscapeHooks:
    def __init__(self, report: Report) -> None:
        self._report = report
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous_loop_handler: LoopHandler | None = None
        self._previous_excepthook: Callable[..., Any] | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._previous_loop_handler = loop.get_exception_handler()
        loop.set_exception_handler(self.loop_exception)
        self._previous_excepthook = sys.excepthook
        sys.excepthook = self.excepthook

    def uninstall(self) -> None:
        loop = self._loop
        if loop is not None and loop.get_exception_handler() == self.loop_exception:
            loop.set_exception_handler(self._previous_loop_handler)
        if sys.excepthook == self.excepthook and self._previous_excepthook is not None:
            sys.excepthook = self._previous_excepthook
        self._loop = None

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException) and not isinstance(exc, asyncio.CancelledError):
            if not _transport_noise(context, exc):
                revived = revive_later(loop, context)
                where = str(context.get("message") or "an asyncio callback")
                if revived:
                    where = f"a task a nested event loop could not run ({where})"
                self._safely(where, exc)
        previous = self._previous_loop_handler
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if not isinstance(exc, KeyboardInterrupt | SystemExit):
            self._safely("a Qt slot or an @asyncSlot coroutine", exc)
        previous = self._previous_excepthook or sys.__excepthook__
        previous(exc_type, exc, tb)

    def _safely(self, where: str, exc: BaseException) -> None:
        try:
            self._report(where, exc)
        except Exception:  # a failing report must not hide the original error
            sys.__excepthook__(*sys.exc_info())
