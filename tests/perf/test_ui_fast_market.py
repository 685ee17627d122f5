"""Benchmark: the whole window in the sim's fast market. Prints figures, asserts no timings.

    .venv/bin/python -m pytest -m perf -s tests/perf/test_ui_fast_market.py

The exchange runs SimConfig(tick_interval=0.001, churn=12) on the three majors, which
publishes well over 10,000 level2 messages a second for XBTUSDTM (issue 14's fast market):
first as the app runs practice now, a child process (EmbeddedExchange's default), with
Python's collector on as in the app; then, for comparison, on a thread of this process
(in_process=True, as the app ran it before: it shares the interpreter and its GIL; the
collector stays off as the suite keeps it with an in-thread exchange, see tests/conftest.py).
The window trades as a user would leave it: a position with a TP/SL (positions grid, account
bar, chart entry, liquidation, SL and TP lines), two resting orders, the ladder grouped, at the
window's own frame rate. For SECONDS we sample (tests/perf/window_probe.py):

- level2 messages received per second (frames reaching the adapter) and applied (the book's
  sequence numbers),
- each panel's paints per second (the ladder's are the frames: it repaints when the book
  moved, so each of its paints shows a newer book) and the window's backing-store flushes,
- the frame clock's ticks per second and its own lag (how late each tick fired),
- the asyncio event-loop lag: how late a 10 ms sleep wakes up on the qasync loop, and how long
  a callback waits in the ready queue (call_soon), which is what a network reply waits,
- tick-to-paint: the exchange's timestamp of the newest book change the ladder shows, to the
  paint that shows it,
- CPU, as % of one core: the app process (every thread) and the exchange's process apart,
each with the window painting and again with its frame clock stopped (the feed alone).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kcterm.core.session import Session
from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from tests.gui import conftest as gui
from tests.gui.conftest import MAJORS, SYMBOL, Answers, dispose, trading_ready, until
from tests.perf.window_probe import (
    CpuBreakdown,
    GcPauses,
    LagSampler,
    Level2Tap,
    PaintCounter,
    TickToPaint,
    cpu_seconds,
    percentile,
    spread,
)
from tests.sessions import kucoin_session

pytestmark = pytest.mark.perf

qloop = gui.qloop  # the GUI tests' qasync loop, run once below as the app runs its loop
SECONDS = 8.0
FAST = SimConfig(port=0, seed=5, tick_interval=0.001, churn=12, contracts=MAJORS)


@pytest.fixture(params=["process", "thread"])
def venue(request) -> Iterator[tuple[str, EmbeddedExchange]]:
    """(how the exchange runs, the exchange)."""
    exchange = EmbeddedExchange(FAST, in_process=request.param == "thread")
    exchange.start()
    collecting = gc.isenabled()
    if request.param == "process":
        gc.enable()  # as the app runs: nothing of the exchange shares this interpreter
    try:
        yield ("child process" if request.param == "process" else "thread of the app"), exchange
    finally:
        if not collecting:
            gc.disable()
        exchange.stop()


async def sample(
    window: MainWindow,
    exchange: EmbeddedExchange,
    seconds: float,
    paints: PaintCounter,
    tap: Level2Tap,
    latency: TickToPaint,
) -> dict[str, object]:
    book = window.session.market_data.books[SYMBOL]
    clock = window.frame_clock
    lags = LagSampler()
    frame_lags: list[float] = []
    start_seq, start_ticks, resyncs = book.sequence, clock.frames, book.resyncs
    start_frames, start_paints = paints.snapshot()
    start_received = tap.received
    latency.latencies.clear()
    latency.recording = True
    pid = exchange.pid
    start_cpu, start_exchange_cpu = cpu_seconds(), cpu_seconds(pid) if pid else 0.0
    start = time.monotonic()

    async def frame_lag() -> None:
        while time.monotonic() - start < seconds:
            frame_lags.append(clock.last_lag_ms)
            await asyncio.sleep(0.05)

    breakdown = CpuBreakdown(window)
    with GcPauses() as collections:
        await asyncio.gather(lags.run(seconds), frame_lag())
    breakdown.remove()
    elapsed = time.monotonic() - start
    app_cpu = cpu_seconds() - start_cpu
    exchange_cpu = (cpu_seconds(pid) - start_exchange_cpu) if pid else None
    latency.recording = False
    frames, painted = paints.snapshot()
    return {
        "received_per_s": (tap.received - start_received) / elapsed,
        "applied_per_s": (book.sequence - start_seq) / elapsed,
        "frames_per_s": (frames - start_frames) / elapsed,
        "ticks_per_s": (clock.frames - start_ticks) / elapsed,
        "panels": {n: (painted[n] - start_paints[n]) / elapsed for n in paints.widgets},
        "loop": lags.sleep_late,
        "soon": lags.soon_waits,
        "frame_lag": frame_lags,
        "tick_to_paint": list(latency.latencies),
        "app_cpu_pct": 100 * app_cpu / elapsed,
        "exchange_cpu_pct": None if exchange_cpu is None else 100 * exchange_cpu / elapsed,
        "resyncs": book.resyncs - resyncs,
        "gc": collections.summary() if gc.isenabled() else "collector off",
        "breakdown": breakdown.summary(elapsed),
    }


async def trade_a_little(session: Session) -> None:
    """A position with a TP/SL and two resting orders: every panel has something to draw."""
    tick = session.contracts[SYMBOL].tick_size
    await session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "20")))
    await until(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the position")
    mark = session.trading.market_context(SYMBOL).mark.quantize(tick)
    plan = session.trading.plan_for_position(
        SYMBOL, str(mark - 3000 * tick), str(mark + 3000 * tick)
    )
    await session.trading.place_bracket(plan)
    bid = session.market_data.books[SYMBOL].best_bid()[0]
    for offset in (100, 200):
        price = str(bid - offset * tick)
        await session.trading.place(
            session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "3", price))
        )


def report(name: str, f: dict) -> None:
    panels = ", ".join(f"{n} {rate:.1f}" for n, rate in f["panels"].items())
    exchange = f["exchange_cpu_pct"]
    print(
        f"  {name}:\n"
        f"    level2 {f['received_per_s']:,.0f} msg/s received, {f['applied_per_s']:,.0f} "
        f"applied; resyncs {f['resyncs']}\n"
        f"    window {f['frames_per_s']:.1f} flushes/s; frame clock {f['ticks_per_s']:.1f} ticks/s,"
        f" tick lag {spread(f['frame_lag'])} ms\n"
        f"    paints/s: {panels}\n"
        f"    event-loop lag (10 ms sleep late by) {spread(f['loop'])} ms; call_soon waits "
        f"{spread(f['soon'])} ms\n"
        f"    tick-to-paint (exchange timestamp -> ladder paint) {spread(f['tick_to_paint'])} ms"
        f" ({len(f['tick_to_paint'])} paints)\n"
        f"    CPU: app {f['app_cpu_pct']:.1f} % of a core"
        + ("" if exchange is None else f", exchange process {exchange:.1f} %")
        + f"\n    collections: {f['gc']}"
        + f"\n    ms per second (longest call ms): {f['breakdown']}"
    )


def test_event_loop_lag_and_repaint_rate_in_the_fast_market(
    qloop, qtbot, tmp_path: Path, venue: tuple[str, EmbeddedExchange]
) -> None:
    how, exchange = venue
    cfg = FAST
    settings = QSettings(str(tmp_path / "kcterm.ini"), QSettings.Format.IniFormat)
    painting: dict[str, object] = {}
    feed_only: dict[str, object] = {}

    async def measure() -> int:
        # One run of the loop from the session's start to its stop, as the app runs it.
        session = kucoin_session(
            RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase)),
            venue="sim",
        )
        await session.start([SYMBOL])
        window = MainWindow(session, SYMBOL, settings=settings, confirm_action=Answers())
        window.show()
        tap = Level2Tap(window, SYMBOL)
        latency = TickToPaint(window, tap)
        paints = PaintCounter(window, latency.on_paint)
        try:
            await trading_ready(window)
            await trade_a_little(session)
            window.book.set_group(2)
            await asyncio.sleep(1.0)  # the orders' rows and lines drawn, the chart loaded
            print("\nmeasuring: window painting", flush=True)  # a profiler may attach now
            painting.update(await sample(window, exchange, SECONDS, paints, tap, latency))
            fps = round(1000 / window.frame_clock._timer.interval())
            window.frame_clock.stop()
            print("measuring: feed only", flush=True)
            feed_only.update(await sample(window, exchange, SECONDS, paints, tap, latency))
            return fps
        finally:
            paints.remove()
            window.frame_clock.stop()
            await session.stop()
            dispose(window)

    fps = qloop.run_until_complete(measure())
    print(
        f"\nfast market (tick 1 ms, churn 12, {len(MAJORS)} contracts), exchange as a {how};"
        f" {SECONDS:.0f} s each:"
    )
    report(f"window painting (frame clock at {fps} fps)", painting)
    report("feed only (frame clock stopped)", feed_only)
    ticks = painting["tick_to_paint"]
    assert isinstance(ticks, list)
    ladder_fps = painting["panels"]["ladder"]  # type: ignore[index]
    print(
        f"  goals: frames/s (ladder paints, each a newer book) {ladder_fps:.1f} (>= 55), "
        f"loop lag p99 {percentile(painting['loop'], 0.99):.1f} ms (< 20), tick-to-paint p99 "
        f"{percentile(ticks, 0.99):.1f} ms (< 50), app CPU {painting['app_cpu_pct']:.1f} % "
        f"(<= 25; the feed alone {feed_only['app_cpu_pct']:.1f} %), level2 "
        f"{painting['received_per_s']:,.0f} msg/s (>= 10,000); tick-to-paint p50 "
        f"{statistics.median(ticks) if ticks else 0:.1f} ms"
    )
    assert painting["applied_per_s"] > 0 and painting["frames_per_s"] > 0
    assert feed_only["ticks_per_s"] == 0  # the clock was stopped: nothing refreshed
