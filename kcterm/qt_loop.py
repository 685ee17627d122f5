"""The app's asyncio loop: qasync's QEventLoop with ready callbacks run in batches.

qasync (0.28) runs every `call_soon` as a Qt timer of its own: `call_soon` -> `call_later(0)`
-> `_SimpleTimer.add_callback` -> `startTimer(0)`, then one QTimerEvent, a `killTimer` and a
dict insert and delete per callback. Every task step, future callback and socket read (the
socket notifier hands its reader to `call_soon`) pays that, and in a fast market it was about
a fifth of the app's CPU.

`BatchedQEventLoop` keeps qasync for everything else (the Qt event loop it runs in, timers with
a delay, socket notifiers, run_forever / run_until_complete / stop / close, the executor, the
exception handler, call_soon_threadsafe's queued signal) and changes one thing, the zero-delay
case of qasync's `_add_callback`, where all of call_soon / call_later(<= 0) / call_at(now)
arrive:

- the handle is appended to a ready deque (asyncio's own `_ready`, which qasync leaves unused
  and `BaseEventLoop.close()` clears), and if no drain is pending ONE Qt zero-timer is started;
- when Qt fires it, the drain runs the handles that were ready when it started, in FIFO
  order, skipping cancelled ones, each through `handle._run()` (an exception goes to the
  loop's exception handler, as under qasync). What they schedule runs in the next pass, as in
  asyncio's `_run_once`, so Qt's own events (input, paint, timers, socket notifiers) get their
  turn between passes and a callback that reschedules itself starves nothing;
- in debug mode (`loop.set_debug(True)`) each handle is timed and a slow one is logged, with
  `_current_handle` set, as qasync's timer does.

Each pass counts in `activity`, and `when_active(callback)` calls `callback` once at the end
of the pass running now or the next one: the window's frame clock (ui.frame_clock) rests
while the loop has nothing to run (no message, no reply, no task step: no data of a panel can
have moved) and is woken by the first pass that runs something.

A stop() inside a drain lets the rest of that pass run (asyncio does the same) and Qt's loop
then returns; what is left waits in the deque for the next run (or for run_until_complete's
last processEvents, as qasync's pending zero-timers did). After close() a callback is dropped,
as qasync's stopped timer drops it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QTimer

logger = logging.getLogger(__name__)


class BatchedQEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync is untyped
    """qasync's QEventLoop whose ready callbacks run in batches, one Qt wake-up per pass."""

    _ready: deque[asyncio.Handle]  # asyncio.BaseEventLoop's, made in its __init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # One zero-interval single-shot timer wakes the drain. A QTimer's timeout signal costs
        # less than a QObject.timerEvent override or a posted event (measured: ~1.3 µs a wake
        # against ~3.2 µs for either).
        self._wake = QTimer()
        self._wake.setSingleShot(True)
        self._wake.setInterval(0)
        self._wake.timeout.connect(self._drain)
        self._wake_pending = False
        self.activity = 0  # passes of ready callbacks run so far
        self._when_active: list[Callable[[], None]] = []
        super().__init__(*args, **kwargs)

    def when_active(self, callback: Callable[[], None]) -> None:
        """Call `callback` (once) at the end of the pass running now, or of the next one."""
        self._when_active.append(callback)

    def call_soon(
        self, callback: Any, *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        """asyncio's call_soon: the handle joins the ready deque. qasync's path here went
        through call_later, whose coroutine-function check costs ~0.75 µs a call; asyncio
        makes that check in debug mode only, and so does this (a non-callable is refused
        always, as qasync refuses it)."""
        if self.get_debug():
            self._check_callback(callback, "call_soon")  # asyncio.BaseEventLoop's
        elif not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = asyncio.Handle(callback, args, self, context)
        if self._closed:  # as qasync's stopped timer: dropped, never run
            return handle
        self._ready.append(handle)
        if not self._wake_pending:
            self._wake_pending = True
            self._wake.start()
        return handle

    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        """qasync's one way in for call_soon / call_later / call_at: a delay > 0 stays a Qt
        timer of qasync's; anything due now joins the ready deque."""
        if delay > 0:
            return super()._add_callback(handle, delay)  # type: ignore[no-any-return]
        if self._closed:  # as qasync's stopped timer: dropped, never run
            return handle
        self._ready.append(handle)
        if not self._wake_pending:
            self._wake_pending = True
            self._wake.start()
        return handle

    def _drain(self) -> None:
        """One pass: the handles ready when it starts; what they schedule waits for the next."""
        self._wake_pending = False
        ready = self._ready
        if self._closed:
            ready.clear()
            return
        self.activity += 1
        debug = self.get_debug()
        todo = len(ready)
        handle: asyncio.Handle | None = None
        try:
            while todo:
                todo -= 1
                handle = ready.popleft()
                if handle._cancelled:
                    continue
                if debug:
                    self._run_timed(handle)
                else:
                    handle._run()
        finally:
            handle = None  # no reference kept to the last callback's arguments
            # A BaseException (KeyboardInterrupt, SystemExit) out of a callback leaves the rest
            # of the pass queued: it runs on the next wake-up.
            if ready and not self._wake_pending and not self._closed:
                self._wake_pending = True
                self._wake.start()
            if self._when_active:
                self._woken()

    def _woken(self) -> None:
        woken, self._when_active = self._when_active, []
        for callback in woken:
            try:
                callback()
            except Exception:  # one broken waiter must not keep the others asleep
                logger.exception("when_active callback failed")

    def _run_timed(self, handle: asyncio.Handle) -> None:
        """Debug mode, as qasync's timer: the handle is the loop's current one while it runs
        and a run longer than slow_callback_duration is logged."""
        self._current_handle = handle
        try:
            logger.debug("Calling handle %s", handle)
            started = time.monotonic()
            handle._run()
            took = time.monotonic() - started
            if took >= self.slow_callback_duration:
                logger.warning("Executing %s took %.3f seconds", _format_handle(handle), took)
        finally:
            self._current_handle = None  # type: ignore[assignment]  # as asyncio's own

    def close(self) -> None:
        super().close()  # raises if running; clears _ready (BaseEventLoop.close)
        self._wake.stop()
        self._wake_pending = False
        self._when_active.clear()


def _format_handle(handle: asyncio.Handle) -> str:
    """A task's step is shown as its task (as asyncio and qasync show it)."""
    owner = getattr(getattr(handle, "_callback", None), "__self__", None)
    return repr(owner) if isinstance(owner, asyncio.Task) else str(handle)
