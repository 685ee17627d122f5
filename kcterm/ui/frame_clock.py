"""The one repaint heartbeat: panels refresh on a frame timer, never once per message.

A burst of thousands of book changes a second becomes at most `fps` refreshes, and each panel
skips its refresh when the state version it last drew has not moved: a tick where nothing
changed costs a version comparison per panel and paints nothing.

Each callback runs at its own rate: at every frame (the ladder: a trader reads the touch as
it moves), or at `hz` times a second for what a human cannot read faster (the chart, the tape,
the watchlist, the status bar). A callback added without `hz` takes its owner's `refresh_hz`
when it is a bound method of an object that declares one (each panel states its rate next to
its refresh), else every frame. At most one callback at a lower rate runs per frame, the
longest due first: their work is spread over frames instead of landing on the same one (a
frame that drew the chart, the tape and the watchlist at once would hold the event loop for
all three).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

log = logging.getLogger("kcterm.ui.frame_clock")

DEFAULT_FPS = 60


class _Paced:
    __slots__ = ("callback", "due", "interval")

    def __init__(self, callback: Callable[[], None], interval: float, due: float) -> None:
        self.callback = callback
        self.interval = interval
        self.due = due


class FrameClock(QObject):
    def __init__(
        self,
        fps: int = DEFAULT_FPS,
        parent: QObject | None = None,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._now = now  # seconds, monotonic (tests step their own)
        self._every: list[Callable[[], None]] = []  # run on every tick
        self._paced: list[_Paced] = []  # run when due, at their own rate, one per frame
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # 16 ms, not 16 ms +/- 5 %
        self._timer.setInterval(max(1, int(1000 / fps)))  # 16 ms at 60: never slower
        self._timer.timeout.connect(self.tick)
        self.frames = 0
        self.last_lag_ms = 0.0  # how late the last tick fired: a cheap event-loop lag gauge
        self._expected = 0.0

    @property
    def fps(self) -> float:
        return 1000 / self._timer.interval()

    def add(self, callback: Callable[[], None], hz: float | None = None) -> None:
        """Call `callback` on every frame, or `hz` times a second (at most every frame)."""
        if hz is None:
            hz = getattr(getattr(callback, "__self__", None), "refresh_hz", None)
        if not hz or hz >= self.fps:
            self._every.append(callback)
            return
        frame = self._timer.interval() / 1000
        # Spread the paced callbacks over successive frames (the first one is due at once).
        offset = (len(self._paced) * frame) % (1 / hz)
        self._paced.append(_Paced(callback, 1 / hz, self._now() + offset))

    def rate_of(self, callback: Callable[[], None]) -> float:
        """Refreshes per second `callback` is called at (the frame rate for every frame)."""
        for paced in self._paced:
            if paced.callback == callback:
                return 1 / paced.interval
        return self.fps

    def start(self) -> None:
        self._expected = self._now() + self._timer.interval() / 1000
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """One frame (the timer calls it): every-frame callbacks, then those that are due."""
        now = self._now()
        self.last_lag_ms = max(0.0, (now - self._expected) * 1000)
        self._expected = now + self._timer.interval() / 1000
        self.frames += 1
        for callback in self._every:
            self._call(callback)
        late: _Paced | None = None
        for paced in self._paced:
            if now >= paced.due and (late is None or paced.due < late.due):
                late = paced
        if late is not None:
            # The next one a whole interval on; after a stall, from now (no catch-up burst).
            late.due = max(late.due + late.interval, now + late.interval / 2)
            self._call(late.callback)

    @staticmethod
    def _call(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # a broken panel must not stop the others from painting
            log.exception("panel refresh failed")
