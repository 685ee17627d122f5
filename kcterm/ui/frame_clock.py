"""The one repaint heartbeat: panels refresh on a frame timer, never once per message.

A burst of thousands of book changes a second becomes at most `fps` refreshes, and each panel
skips its refresh when the state version it last drew has not moved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("kcterm.ui.frame_clock")


class FrameClock(QObject):
    def __init__(self, fps: int = 30, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._callbacks: list[Callable[[], None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(1000 / fps)))
        self._timer.timeout.connect(self._tick)
        self.frames = 0
        self.last_lag_ms = 0.0  # how late the last tick fired: a cheap event-loop lag gauge
        self._expected = 0.0

    def add(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def start(self) -> None:
        self._expected = time.monotonic() + self._timer.interval() / 1000
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        self.last_lag_ms = max(0.0, (now - self._expected) * 1000)
        self._expected = now + self._timer.interval() / 1000
        self.frames += 1
        for callback in self._callbacks:
            try:
                callback()
            except Exception:  # a broken panel must not stop the others from painting
                log.exception("panel refresh failed")
