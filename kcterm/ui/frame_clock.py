"""The one repaint heartbeat: panels refresh on a frame timer, never once per message.

A burst of thousands of book changes a second becomes at most `fps` refreshes, and each panel
skips its refresh when the state version it last drew has not moved: a tick where nothing
changed costs a version comparison per panel and paints nothing.

Each callback runs at its own rate: at every frame (the ladder: a trader reads the touch as
it moves), or `hz` times a second for what a human cannot read faster (the chart, the tape,
the watchlist, the status bar): every `round(fps / hz)`-th frame. A callback added without
`hz` takes its owner's `refresh_hz` when it is a bound method of an object that declares one
(each panel states its rate next to its refresh), else every frame. Each slower callback gets
the phase (which of its frames) that the fewest others share, so while the clock runs their
work is spread over frames instead of landing on the same one (a frame that drew the chart,
the tape and the watchlist at once would hold the event loop for all three). Counting frames,
not seconds, a stalled loop never makes up for lost calls with a burst.

The clock rests while the event loop is quiet (issue 14: an idle window's frames were most of
its CPU, a wake-up and every panel's version check 62 times a second). On the app's loop
(kcterm.qt_loop.BatchedQEventLoop), whose `activity` counts the passes that ran something (a
message, a reply, a task step: what moves a panel's data), a tick that finds no pass since the
one before puts the clock at a tick every REST_S seconds. The loop's next pass wakes it
(`when_active`): one tick WAKE_MS later (sooner than the next frame would have come; the rest of
the same burst of messages is in it) and the clock goes on resting, or, when more comes within
a frame of that tick (a market on the move), the frame rate again.

What runs every few frames is called on the woken tick once three quarters of its period have
passed since its last call after activity: the panels a message moved (the ladder, the chart,
the tape, the watchlist, the ticker) are then painted together, in one repaint of the window
per burst of a quiet market, not each at its own phase on a resting tick a few frames later
(16 window repaints a second became 6 on the default practice market: a repaint on a CPU
that has slept costs ~3.5 times one on a busy CPU, so their count matters more than their
size). A resting tick counts the frames it stood for, and calls what has not been called for
a period after activity, at its rate in seconds (the status bar's ages, the stale veils, while
no message comes), at most once a tick. So a slower callback runs at most 4/3 of its rate
while the market wakes the clock faster than that, and at its rate otherwise. On any other loop
(or with `rest=False`) the clock never rests.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger("kcterm.ui.frame_clock")

DEFAULT_FPS = 60
# Between ticks while the loop is quiet. What moves with time alone (the status bar's ages,
# the orders' countdowns, the stale veils, a closed gate's seconds) moves on screen 4 times a
# second (the 4 Hz panels, orders_panel.PENDING_REDRAW_S), so a resting tick more often only
# wakes the CPU for nothing (10 a second before: 4 took an idle practice window from about
# 3.2 to 2.7 % of a core, issue 14). What
# the user does is not waiting on it (the ticket checks an edit at once, and the interlock is
# evaluated again at the moment an order is sent: MainWindow.gate).
REST_S = 0.25
# A tick is one of: a frame at the frame rate (running); a resting one, every REST_S seconds
# (rest_period frames) while the loop is quiet; or one the loop's activity woke while resting.
RUNNING, RESTING, WOKEN = "running", "resting", "woken"
WAKE_MS = 3  # a tick this long after the pass that ends a quiet spell (within a frame)


class ActiveLoop(Protocol):
    """What the clock needs of a loop to rest (kcterm.qt_loop.BatchedQEventLoop has it)."""

    activity: int

    def when_active(self, callback: Callable[[], None]) -> None: ...


class _Paced:
    __slots__ = ("callback", "due", "moved", "period", "phase")

    def __init__(self, callback: Callable[[], None], period: int, phase: int) -> None:
        self.callback = callback
        self.period = period  # every period-th frame
        self.phase = phase  # the frame of its first call: slower callbacks spread over frames
        # The frame count (frames ticked, its call's tick included) of its last call on a tick
        # after activity, and the count from which a resting tick calls it.
        self.moved = phase + 1 - period
        self.due = phase + 1


class FrameClock(QObject):
    def __init__(
        self,
        fps: int = DEFAULT_FPS,
        parent: QObject | None = None,
        rest: bool = True,
        loop: ActiveLoop | None = None,
    ) -> None:
        """`loop`: the loop whose activity the clock follows (by default the running one at
        its first tick, when it is an ActiveLoop); `rest=False`: never rest."""
        super().__init__(parent)
        self._fps = fps
        self._every: list[Callable[[], None]] = []  # run on every tick
        self._paced: list[_Paced] = []  # every few frames, at their own rate
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # 16 ms, not 16 ms +/- 5 %
        self._timer.setInterval(max(1, int(1000 / fps)))  # 16 ms at 60: never slower
        self._timer.timeout.connect(self._on_timer)
        self._frame_ms = self._timer.interval()
        self.rest_period = max(1, round(REST_S * fps))  # the frames a resting tick stands for
        self.frames = 0
        self.last_lag_ms = 0.0  # how late the last tick fired: a cheap event-loop lag gauge
        self._expected = 0.0
        self._rest = rest
        self._given = loop
        self._loop: ActiveLoop | None = None  # the loop whose activity the clock follows
        self._seen = -1  # its activity at the last tick
        self._resting = False
        self._looked = True  # whether the loop was looked up since start()
        self._last_tick = 0.0
        self._last_active_tick = 0.0  # of the last running or woken tick (not a resting one)
        self.ticks = 0  # ticks made (a resting one stands for several frames)
        self.resting_ticks = 0  # ... of them, while resting (tests and benchmarks read them)
        self.wake_ticks = 0  # ... of them, those the loop's activity woke
        self._wake_timer = QTimer(self)
        self._wake_timer.setSingleShot(True)
        self._wake_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._wake_timer.setInterval(WAKE_MS)
        self._wake_timer.timeout.connect(self._wake)

    @property
    def fps(self) -> float:
        """Frames a second the clock aims at (its timer's interval is whole milliseconds)."""
        return float(self._fps)

    def add(self, callback: Callable[[], None], hz: float | None = None) -> None:
        """Call `callback` on every frame, or `hz` times a second (at most every frame)."""
        if hz is None:
            hz = getattr(getattr(callback, "__self__", None), "refresh_hz", None)
        period = max(1, round(self._fps / hz)) if hz else 1
        if period == 1:
            self._every.append(callback)
            return

        def sharing(phase: int) -> int:
            """How many slower callbacks would run on some of the same frames."""
            return sum(
                1 for p in self._paced if (phase - p.phase) % math.gcd(period, p.period) == 0
            )

        phase = min(range(period), key=sharing)
        self._paced.append(_Paced(callback, period, phase))

    def rate_of(self, callback: Callable[[], None]) -> float:
        """Refreshes per second `callback` is called at, when the clock keeps its rate."""
        for paced in self._paced:
            if paced.callback == callback:
                return self._fps / paced.period
        return self.fps

    @property
    def resting(self) -> bool:
        """Ticking every rest_period frames (and once when woken): the loop was quiet."""
        return self._resting

    def start(self) -> None:
        self._loop = self._given if self._rest else None  # else looked up at the first tick
        self._looked = not self._rest or self._given is not None
        self._seen = -1
        self._resting = False
        self._timer.setInterval(self._frame_ms)
        self._expected = time.monotonic() + self._frame_ms / 1000
        self._last_tick = self._last_active_tick = time.monotonic()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._wake_timer.stop()
        self._resting = False
        self._loop = None

    def tick(self) -> None:
        """One frame (the timer calls it): every-frame callbacks, then those whose frame it is."""
        self._tick(1, RUNNING)

    def _on_timer(self) -> None:
        if not self._looked:
            self._looked = True
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if hasattr(running, "activity") and hasattr(running, "when_active"):
                self._loop = running  # type: ignore[assignment]  # it is an ActiveLoop
        if not self._resting:
            self._tick(1, RUNNING)
        else:  # the frames it stood for, as by the clock (at least one)
            frames = round((time.monotonic() - self._last_tick) * 1000 / self._frame_ms)
            self._tick(max(1, frames), RESTING)
            self.resting_ticks += 1
        self._settle()

    def _settle(self) -> None:
        """After a tick: rest when the loop ran nothing since the tick before, else run."""
        loop = self._loop
        if loop is None or not self._timer.isActive():
            return
        quiet = loop.activity == self._seen
        self._seen = loop.activity
        if quiet and not self._resting:
            self._rest_now(loop)
        elif not quiet and self._resting:
            self._run()

    def _rest_now(self, loop: ActiveLoop) -> None:
        self._resting = True
        self._timer.setInterval(self._frame_ms * self.rest_period)
        self._timer.start()  # the next resting tick a rest period from now
        loop.when_active(self._woken)

    def _woken(self) -> None:
        """The loop ran something while the clock rested. Activity within a frame of the last
        tick is a market on the move: the frame rate again. Else one tick, WAKE_MS from now
        (what came in the same burst is in it too), and the clock goes on resting."""
        if not self._resting or self._loop is None or not self._timer.isActive():
            return
        # Within a frame of the last tick that followed activity, not of a resting tick: a
        # message just after a resting tick is one more lone message.
        if (time.monotonic() - self._last_active_tick) * 1000 < self._frame_ms:
            self._run()
        elif not self._wake_timer.isActive():
            self._wake_timer.start()

    def _wake(self) -> None:
        """The tick after a quiet spell (the wake timer's): its data may have moved."""
        loop = self._loop
        if not self._resting or loop is None or not self._timer.isActive():
            return
        frames = round((time.monotonic() - self._last_tick) * 1000 / self._frame_ms)
        self._tick(max(1, frames), WOKEN)
        self.wake_ticks += 1
        self._seen = loop.activity
        self._rest_now(loop)

    def _run(self) -> None:
        self._resting = False
        self._wake_timer.stop()
        self._timer.setInterval(self._frame_ms)
        self._timer.start()  # the next frame a frame from now

    def _tick(self, frames: int, kind: str) -> None:
        now = time.monotonic()
        self.last_lag_ms = max(0.0, (now - self._expected) * 1000)
        self._expected = now + self._timer.interval() / 1000
        self._last_tick = now
        if kind != RESTING:
            self._last_active_tick = now
        self.ticks += 1
        self.frames += frames
        count = self.frames
        for callback in self._every:
            self._call(callback)
        for paced in self._paced:
            period = paced.period
            if kind == RUNNING:
                # On its phase, as spread over frames (a busy market keeps the clock running),
                # unless a woken tick called it less than half a period ago.
                if (count - 1) % period != paced.phase or count - paced.moved < period // 2:
                    continue
            elif kind == WOKEN:
                if count - paced.moved < period - period // 4:
                    continue
            elif count < paced.due or count - paced.moved < period:
                continue
            if kind == RESTING:
                # In seconds, as at the frame rate (the ticks come every rest_period frames),
                # without making up for a stall with a burst.
                paced.due = paced.due + period if paced.due + period > count else count + period
            else:
                paced.moved = count
                paced.due = count + period
            self._call(paced.callback)

    @staticmethod
    def _call(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # a broken panel must not stop the others from painting
            log.exception("panel refresh failed")
