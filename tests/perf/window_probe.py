"""What the window benchmarks measure, read from outside the window (no figure of the app's own).

- PaintCounter: paint events per panel (an event filter on each panel's painted widget) and
  the window's frames (UpdateRequest on the top-level window: one backing-store flush, what a
  screen would show), with a hook called when the ladder paints.
- Level2Tap: the exchange's timestamp of every level2 message of one symbol, by sequence, read
  from the frame itself on its way to the adapter's handler (the typed BookDelta carries no
  exchange time today). With BookModel.sequence (the newest change the ladder shows) it gives
  tick-to-paint: exchange timestamp -> the paint that shows it.
- cpu_seconds: CPU time of a process (user + system, every thread) from /proc, so the
  exchange's child process is measured apart from the app's.
- LagSampler: event-loop lag, as the older benchmark measured it (how late a 10 ms sleep wakes
  up, how long a call_soon callback waits).
- GcPauses: how long each of Python's collections took, by generation (a full collection of
  the window's heap is a pause of the event loop like any other).
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from kcterm.ui.main_window import MainWindow

_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def spread(values: list[float]) -> str:
    """`p50 a / p95 b / p99 c / max d` of a list of milliseconds."""
    if not values:
        return "no samples"
    return (
        f"p50 {statistics.median(values):.1f} / p95 {percentile(values, 0.95):.1f} / "
        f"p99 {percentile(values, 0.99):.1f} / max {max(values):.1f}"
    )


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of process `pid` (this one when None), all its threads."""
    with open(f"/proc/{pid or 'self'}/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def panel_widgets(window: MainWindow) -> dict[str, QWidget]:
    """The widget that paints each panel's content (a view's viewport, a label)."""
    return {
        "ladder": window.book.view.viewport(),
        "tape": window.tape.view.viewport(),
        "chart": window.chart.plots.viewport(),
        "watchlist": window.watchlist.view.viewport(),
        "ticker": window.ticker.last_label,
        "positions": window.positions.view.viewport(),
        "orders": window.open_orders.view.viewport(),
        "account": window.account_bar.labels["equity"],
        "status": window.status.feed_label,
    }


class PaintCounter(QObject):
    def __init__(self, window: MainWindow, on_ladder_paint: Callable[[], None] | None = None):
        super().__init__()
        self.window = window
        self.widgets = panel_widgets(window)
        self._names = {id(w): name for name, w in self.widgets.items()}
        self._ladder = self.widgets["ladder"]
        self._on_ladder_paint = on_ladder_paint
        self.paints: Counter[str] = Counter()
        self.frames = 0  # flushes of the window's backing store
        for widget in self.widgets.values():
            widget.installEventFilter(self)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Paint:
            name = self._names.get(id(watched))
            if name is not None:
                self.paints[name] += 1
                if watched is self._ladder and self._on_ladder_paint is not None:
                    self._on_ladder_paint()
        elif kind == QEvent.Type.UpdateRequest and watched is self.window:
            self.frames += 1
        return False

    def remove(self) -> None:
        for widget in self.widgets.values():
            widget.removeEventFilter(self)
        self.window.removeEventFilter(self)

    def snapshot(self) -> tuple[int, Counter[str]]:
        return self.frames, Counter(self.paints)


class Level2Tap:
    """The exchange timestamp (ms) of each level2 message of `symbol`, by its sequence."""

    def __init__(self, window: MainWindow, symbol: str) -> None:
        self.stamps: dict[int, int] = {}
        self.received = 0
        self.symbol = symbol
        topic = "/contractMarket/level2:" + symbol
        stream = next(s for s in window.session.public.streams if topic in s.topics)
        router = stream._router
        original = router.handlers[topic]
        stamps = self.stamps

        def tapped(frame: dict[str, Any]) -> None:
            data = frame["data"]
            stamps[data["sequence"]] = data["timestamp"]
            self.received += 1
            original(frame)

        router.handlers[topic] = tapped


class TickToPaint:
    """At each ladder paint that shows a newer book: now minus the exchange time of the newest
    change it shows (BookModel.sequence)."""

    def __init__(self, window: MainWindow, tap: Level2Tap) -> None:
        self.window = window
        self.tap = tap
        self.latencies: list[float] = []
        self.unknown = 0  # paints of a sequence the tap never saw (before it was installed)
        self._shown = -1
        self.recording = False

    def on_paint(self) -> None:
        sequence = self.window.book.model.sequence
        if sequence == self._shown:
            return
        self._shown = sequence
        if not self.recording:
            return
        stamp = self.tap.stamps.get(sequence)
        if stamp is None:
            self.unknown += 1
            return
        self.latencies.append(time.time() * 1000 - stamp)


class LagSampler:
    def __init__(self) -> None:
        self.sleep_late: list[float] = []
        self.soon_waits: list[float] = []

    async def run(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            ran: asyncio.Future[float] = loop.create_future()
            before = time.monotonic()
            loop.call_soon(lambda f=ran: f.set_result(time.monotonic()))
            self.soon_waits.append((await ran - before) * 1000)
            before = time.monotonic()
            await asyncio.sleep(0.010)
            self.sleep_late.append((time.monotonic() - before - 0.010) * 1000)


class GcPauses:
    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def summary(self) -> str:
        return "; ".join(
            f"gen{g} {len(p)}x max {max(p):.1f} ms" if p else f"gen{g} 0x"
            for g, p in self.pauses.items()
        )
