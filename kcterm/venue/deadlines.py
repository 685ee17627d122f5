"""A time limit for each of many short requests, on one timer for all that end near together.

aiohttp's ClientTimeout (like asyncio.timeout) gives every request a timer of its own: a timer
context, a TimerHandle pushed into the loop's timer heap and cancelled when the reply is in,
and, that cancelled handle at the top of the heap, popped again through a dozen Python-level
comparisons. It is most of what the REST client spends on a round trip beyond raw aiohttp
(issue 14: ~32k instructions of ~470k a signed request, callgrind; on qasync's loop each is a
Qt timer started and killed). Here the requests whose deadlines fall in the same tick share one
timer, which is never cancelled: when it fires it cancels the tasks still under it, and each
sees TimeoutError where it awaited, as under asyncio.timeout.

A deadline is rounded up to its tick, a tenth of the limit and at most a second: a 10 s limit
ends on the loop clock's next whole second, as aiohttp's own does (it rounds limits of 5 s and
more up to the second, ClientTimeout.ceil_threshold); a 0.5 s one within 50 ms after it.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

MAX_TICK_S = 1.0
TICKS_PER_LIMIT = 10

_Task = asyncio.Task[Any]


class SharedDeadlines:
    """``seconds`` for each request of one client: enter() as a request starts, from its own
    task; leave() once it is over, however; expired() when it was cancelled, to tell the
    limit's cancellation (then a TimeoutError) from anyone else's (then CancelledError)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._tick = min(MAX_TICK_S, seconds / TICKS_PER_LIMIT)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._when = -math.inf  # the deadline of the timer requests join now
        self._under: set[_Task] = set()  # the tasks that timer will cancel
        # Tasks cancelled by a timer and not yet told: their cancel count before it.
        self._expired: dict[_Task, int] = {}

    def enter(self) -> tuple[_Task, set[_Task]]:
        """Put the running task under a deadline; pass what it returns to leave()."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:  # not in a task: nothing could be cancelled (asyncio.timeout refuses)
            raise RuntimeError("a deadline needs a task")
        tick = self._tick
        when = math.ceil((loop.time() + self.seconds) / tick) * tick
        if when != self._when or loop is not self._loop:
            # The first request of a tick (or on another loop, the app's or a test's): a timer.
            self._under = set()
            self._when = when
            self._loop = loop
            loop.call_at(when, self._expire, self._under)
        under = self._under
        under.add(task)
        return task, under

    def leave(self, entered: tuple[_Task, set[_Task]]) -> None:
        """The request is over: its timer leaves it alone."""
        task, under = entered
        under.discard(task)
        if self._expired and self._expired.pop(task, None) is not None:
            # Cancelled by the limit, but it ended some other way (the cancellation caught and
            # turned into another error below us): take the cancellation back all the same.
            task.uncancel()

    def expired(self, task: _Task) -> bool:
        """After a CancelledError: True if the limit cancelled ``task`` and no one else did,
        the cancellation then taken back (raise TimeoutError instead)."""
        before = self._expired.pop(task, None)
        return before is not None and task.uncancel() <= before

    def _expire(self, under: set[_Task]) -> None:
        while under:
            task = under.pop()
            if not task.done():
                self._expired[task] = task.cancelling()
                task.cancel()
