"""Garbage collection on the GUI thread only.

The embedded exchange runs Python on its own thread, and Python's cyclic collector runs in
whichever thread happens to allocate. If it frees a Qt object from that thread, Qt cannot
unregister the object's timers there, and later fires one on freed memory (a crash far from
the cause). So, as pyqtgraph's GarbageCollector does, automatic collection is switched off
while a window is open and this timer collects on the GUI thread instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiGarbageCollector(QObject):
    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self.collections = 0
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Stop collecting here; automatic collection comes back only if it was on before."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                self.collections += 1
                return
