"""What the window benchmarks measure, read from outside the window (no figure of the app's own).

Used by `kcterm bench --only fast_market` (kcterm/bench/fast_market.py) and the window
benchmarks under tests/perf.

- PaintCounter: paint events per panel (an event filter on each panel's painted widget) and
  the window's frames (UpdateRequest on the top-level window: one backing-store flush, what a
  screen would show), with a hook called when the ladder paints.
- Level2Tap: the level2 messages of one symbol the book was fed (its feed watch's count), and
  the exchange's timestamp of the newest change the ladder's model took, by sequence (the
  book's `ts_ns` when the model read it). With BookModel.sequence (the newest change the ladder
  shows) it gives tick-to-paint: exchange timestamp -> the paint that shows it. Both are read
  off the book, never per message: the tap that read each frame on its way to the adapter
  (and the frame routers timed call by call) cost the app ~1 µs a message, about a sixth of
  the whole feed's cost, that it never pays outside the bench.
- cpu_seconds: CPU time of a process (user + system, every thread) from /proc, so the
  exchange's child process is measured apart from the app's.
- LagSampler: event-loop lag, as the older benchmark measured it (how late a 10 ms sleep wakes
  up, how long a call_soon callback waits).
- GcPauses: how long each of Python's collections took, by generation (a full collection of
  the window's heap is a pause of the event loop like any other).
- CpuBreakdown: time spent in each frame-clock callback (perf_counter: a thread CPU clock is
  a system call here, which cost more than the callbacks; on a loaded machine a preemption
  inside a call counts too), in all and the longest call;
  the rest of the app's CPU is the feed (the streams' frames), Qt's painting, layout and event
  dispatch, and the loop's own.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import partial
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


def thread_cpu_seconds() -> dict[str, float]:
    """CPU seconds of each thread of this process, by its name (`tid:comm`)."""
    out: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as stat:
                raw = stat.read()
        except OSError:
            continue
        comm = raw[raw.index(b"(") + 1 : raw.rindex(b")")].decode(errors="replace")
        fields = raw.rsplit(b")", 1)[1].split()
        out[f"{tid}:{comm}"] = (int(fields[11]) + int(fields[12])) / _TICKS
    return out


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
        # the equity label, by its object name (a literal key would read as a KuCoin field)
        "account": next(
            w for w in window.account_bar.labels.values() if w.objectName().endswith("_equity")
        ),
        "status": window.status.feed_label,
    }


class PaintCounter(QObject):
    def __init__(self, window: MainWindow, on_ladder_paint: Callable[[], None] | None = None):
        super().__init__()
        self.window = window
        self.widgets = panel_widgets(window)
        self.docks = {f"dock {name}": dock for name, dock in window.docks.items()}
        self._names = {id(w): name for name, w in {**self.widgets, **self.docks}.items()}
        self._ladder = self.widgets["ladder"]
        self._on_ladder_paint = on_ladder_paint
        self.paints: Counter[str] = Counter()
        self.frames = 0  # flushes of the window's backing store
        for widget in [*self.widgets.values(), *self.docks.values()]:
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
        for widget in [*self.widgets.values(), *self.docks.values()]:
            widget.removeEventFilter(self)
        self.window.removeEventFilter(self)

    def snapshot(self) -> tuple[int, Counter[str]]:
        return self.frames, Counter(self.paints)


class Level2Tap:
    """The level2 messages of `symbol` the book was fed (`received`), and the exchange
    timestamp (ms) of the newest change each refresh of the ladder's model took, by sequence
    (`stamps`). Nothing runs per message: the count is the book's feed watch's, the stamp is
    read at the model's refresh (~60 a second), when the book's sequence is the model's."""

    def __init__(self, window: MainWindow, symbol: str) -> None:
        self.stamps: dict[int, int] = {}
        self.symbol = symbol
        self._books = window.session.market_data.books
        model: Any = window.book.model
        update_from = model.update_from
        stamps, books = self.stamps, self._books

        def stamped(book: Any, *args: Any) -> Any:
            result = update_from(book, *args)
            ours = books.get(symbol)
            if ours is not None and book is ours and ours.ts_ns and ours.sequence == model.sequence:
                stamps[ours.sequence] = ours.ts_ns // 1_000_000
            return result

        model.update_from = stamped  # an attribute of this model only, read at each refresh

    @property
    def received(self) -> int:
        book = self._books.get(self.symbol)
        return book.messages if book is not None else 0


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
            loop.call_soon(_stamp, ran)
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


class CpuBreakdown:
    """Wraps the window's frame-clock callbacks (undone by `remove`), adding up the main
    thread's time in each. The feed is not timed call by call (two clock reads a message
    would be a part of what is measured): it is in the rest of the app's CPU."""

    def __init__(self, window: MainWindow) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.longest: defaultdict[str, float] = defaultdict(float)  # the longest call, seconds
        self._undo: list[Callable[[], None]] = []
        clock = window.frame_clock
        every = getattr(clock, "_every", None)
        if every is None:  # the clock before per-panel rates (a comparison run)
            every = clock._callbacks  # type: ignore[attr-defined]
        for holder, attribute in [(every, i) for i in range(len(every))] + [
            (p, "callback") for p in getattr(clock, "_paced", [])
        ]:
            if isinstance(attribute, int):
                original = holder[attribute]
                holder[attribute] = self._timed(_name(original), original)
                self._undo.append(partial(holder.__setitem__, attribute, original))
            else:
                original = holder.callback
                holder.callback = self._timed(_name(original), original)
                self._undo.append(partial(setattr, holder, "callback", original))

    def _timed(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        seconds, longest = self.seconds, self.longest
        clock = time.perf_counter

        def timed(*args: Any) -> Any:
            start = clock()
            try:
                return call(*args)
            finally:
                spent = clock() - start
                seconds[name] += spent
                if spent > longest[name]:
                    longest[name] = spent

        return timed

    def summary(self, elapsed: float, app_cpu: float | None = None) -> str:
        """`name ms/s (longest ms)` for each, the costliest first; with the app's CPU seconds
        over `elapsed`, what the callbacks leave of it (the feed, painting, the loop, Qt)."""
        parts = sorted(self.seconds.items(), key=lambda kv: -kv[1])
        text = ", ".join(
            f"{name} {spent / elapsed * 1000:.2f} ({self.longest[name] * 1000:.1f})"
            for name, spent in parts
            if spent
        )
        if app_cpu is None:
            return text
        rest = max(0.0, app_cpu - sum(self.seconds.values())) / elapsed * 1000
        return (
            f"{text}{'; ' if text else ''}the rest of the app (feed, painting, loop, Qt) {rest:.2f}"
        )

    def remove(self) -> None:
        for undo in self._undo:
            undo()


def _stamp(future: asyncio.Future[float]) -> None:
    future.set_result(time.monotonic())


def _name(callback: Callable[..., Any]) -> str:
    owner = getattr(callback, "__self__", None)
    return f"{type(owner).__name__}.{callback.__name__}" if owner is not None else repr(callback)
