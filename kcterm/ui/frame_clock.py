"""The one repaint heartbeat: panels refresh on a frame timer, never once per message.

A burst of thousands of book changes a second becomes at most `fps` refreshes, and each panel
skips its refresh when the state version it last drew has not moved: a tick where nothing
changed costs a version comparison per panel and paints nothing.

Each callback runs at its own rate: at every frame (the ladder: a trader reads the touch as
it moves), or `hz` times a second for what a human cannot read faster (the chart, the tape,
the watchlist, the status bar): every `round(fps / hz)`-th frame. A callback added without
`hz` takes its owner's `refresh_hz` when it is a bound method of an object that declares one
(each panel states its rate next to its refresh), else every frame. Each slower callback gets
the phase (which of its frames) that the fewest others share, so their work is spread over
frames instead of landing on the same one (a frame that drew the chart, the tape and the
watchlist at once would hold the event loop for all three). Counting frames, not seconds, a
stalled loop never makes up for lost calls with a burst.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger("kcterm.ui.frame_clock")

DEFAULT_FPS = 60


class _Paced:
    __slots__ = ("callback", "period", "phase")

    def __init__(self, callback: Callable[[], None], period: int, phase: int) -> None:
        self.callback = callback
        self.period = period  # every period-th frame
        self.phase = phase  # ... when frames % period == phase


class FrameClock(QObject):
    def __init__(self, fps: int = DEFAULT_FPS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fps = fps
        self._every: list[Callable[[], None]] = []  # run on every tick
        self._paced: list[_Paced] = []  # every few frames, at their own rate
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # 16 ms, not 16 ms +/- 5 %
        self._timer.setInterval(max(1, int(1000 / fps)))  # 16 ms at 60: never slower
        self._timer.timeout.connect(self.tick)
        self.frames = 0
        self.last_lag_ms = 0.0  # how late the last tick fired: a cheap event-loop lag gauge
        self._expected = 0.0

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

    def start(self) -> None:
        self._expected = time.monotonic() + self._timer.interval() / 1000
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """One frame (the timer calls it): every-frame callbacks, then those whose frame it is."""
        now = time.monotonic()
        self.last_lag_ms = max(0.0, (now - self._expected) * 1000)
        self._expected = now + self._timer.interval() / 1000
        frame = self.frames
        self.frames += 1
        for callback in self._every:
            self._call(callback)
        for paced in self._paced:
            if frame % paced.period == paced.phase:
                self._call(paced.callback)

    @staticmethod
    def _call(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # a broken panel must not stop the others from painting
            log.exception("panel refresh failed")
