"""Fast market: the whole window in the sim's fast market (issue 14's CPU and painting goals).

The exchange runs SimConfig(tick_interval=0.001, churn=12) on the three majors, which
publishes well over 10,000 level2 messages a second for XBTUSDTM: as a child process (as the
app runs practice), or, for comparison, on a thread of this process (in_process=True). The
window trades as a user would leave it: a position with a TP/SL (positions grid, account bar,
chart entry, liquidation, SL and TP lines), two resting orders, the ladder grouped, at the
window's own frame rate. For `seconds` it samples (kcterm/bench/window_probe.py):

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
  and per level2 message received (µs/msg: the honest figure, whatever the sim's rate),
each with the window painting and again with its frame clock stopped (the feed alone).

Two ways to run it: `tests/perf/test_ui_fast_market.py` (pytest -m perf -s, both ways the
exchange runs, in the test's loop), and `kcterm bench --only fast_market`, which runs
`python -m kcterm.bench.fast_market --json` once a round (a fresh process each time, the
exchange as a child process) and reports the medians.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kcterm.bench.harness import Figure, Options, Result, Row

if TYPE_CHECKING:
    from kcterm.core.session import Session
    from kcterm.embedded import EmbeddedExchange
    from kcterm.ui.main_window import MainWindow

SYMBOL = "XBTUSDTM"
MAJORS = ("XBTUSDTM", "ETHUSDTM", "SOLUSDTM")
SECONDS = 8.0
QUICK_SECONDS = 1.5
SETTLE_S = 1.0  # after the orders: their rows and lines drawn, the chart loaded
CHILD_TIMEOUT = 180.0


def fast_config() -> Any:
    from kcterm.sim import SimConfig

    return SimConfig(port=0, seed=5, tick_interval=0.001, churn=12, contracts=MAJORS)


async def _until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.02)


async def sample(
    window: MainWindow,
    exchange: EmbeddedExchange,
    seconds: float,
    paints: Any,
    tap: Any,
    latency: Any,
) -> dict[str, Any]:
    from kcterm.bench.window_probe import CpuBreakdown, GcPauses, LagSampler, cpu_seconds

    book = window.session.market_data.books[SYMBOL]
    clock = window.frame_clock
    lags = LagSampler()
    frame_lags: list[float] = []
    start_seq, start_ticks, resyncs = book.sequence, clock.ticks, book.resyncs
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
    received = tap.received - start_received
    return {
        "received_per_s": received / elapsed,
        "applied_per_s": (book.sequence - start_seq) / elapsed,
        "frames_per_s": (frames - start_frames) / elapsed,
        "ticks_per_s": (clock.ticks - start_ticks) / elapsed,
        "panels": {n: (painted[n] - start_paints[n]) / elapsed for n in paints.widgets},
        "loop": lags.sleep_late,
        "soon": lags.soon_waits,
        "frame_lag": frame_lags,
        "tick_to_paint": list(latency.latencies),
        "app_cpu_pct": 100 * app_cpu / elapsed,
        "us_per_msg": 1e6 * app_cpu / received if received else None,
        "exchange_cpu_pct": None if exchange_cpu is None else 100 * exchange_cpu / elapsed,
        "resyncs": book.resyncs - resyncs,
        "gc": collections.summary() if gc.isenabled() else "collector off",
        "breakdown": breakdown.summary(elapsed, app_cpu),
    }


async def trade_a_little(session: Session) -> None:
    """A position with a TP/SL and two resting orders: every panel has something to draw."""
    from kcterm.core.validation import OrderDraft

    tick = session.contracts[SYMBOL].tick_size
    await session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "20")))
    await _until(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the position")
    context_mark = session.trading.market_context(SYMBOL).mark
    assert context_mark is not None, "no mark price yet"
    mark = context_mark.quantize(tick)
    plan = session.trading.plan_for_position(
        SYMBOL, str(mark - 3000 * tick), str(mark + 3000 * tick)
    )
    await session.trading.place_bracket(plan)
    best = session.market_data.books[SYMBOL].best_bid()
    assert best is not None, "an empty book"
    bid = best[0]
    for offset in (100, 200):
        price = str(bid - offset * tick)
        await session.trading.place(
            session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "3", price))
        )


async def measure(
    exchange: EmbeddedExchange,
    settings_file: Path,
    seconds: float = SECONDS,
    confirm_action: Callable[[str, str], bool] | None = None,
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """(frame clock fps, figures with the window painting, figures with its clock stopped):
    one run of the loop from the session's start to its stop, as the app runs it."""
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings

    from kcterm.bench.window_probe import Level2Tap, PaintCounter, TickToPaint
    from kcterm.core.session import Session
    from kcterm.ui.main_window import MainWindow
    from kcterm.venue.kucoin.rest import RestClient
    from kcterm.venue.kucoin.signer import Credentials
    from kcterm.venue.kucoin.venue import KucoinVenue

    cfg = exchange.config
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    rest = RestClient(exchange.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase))
    session = Session(KucoinVenue.open(rest), venue="sim")
    await session.start([SYMBOL])
    window = MainWindow(session, SYMBOL, settings=settings, confirm_action=confirm_action)
    window.show()
    tap = Level2Tap(window, SYMBOL)
    latency = TickToPaint(window, tap)
    paints = PaintCounter(window, latency.on_paint)
    try:
        await _until(lambda: window.gate(SYMBOL).open, 15, f"the interlock to open for {SYMBOL}")
        await trade_a_little(session)
        window.book.set_group(2)
        await asyncio.sleep(SETTLE_S)
        print("measuring: window painting", file=sys.stderr, flush=True)  # a profiler may attach
        painting = await sample(window, exchange, seconds, paints, tap, latency)
        fps = round(1000 / window.frame_clock._frame_ms)
        window.frame_clock.stop()
        print("measuring: feed only", file=sys.stderr, flush=True)
        feed_only = await sample(window, exchange, seconds, paints, tap, latency)
        return fps, painting, feed_only
    finally:
        paints.remove()
        window.frame_clock.stop()
        await session.stop()
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


# -- what is printed ---------------------------------------------------------------------------


def report(name: str, f: dict[str, Any]) -> str:
    from kcterm.bench.window_probe import spread

    panels = ", ".join(f"{n} {rate:.1f}" for n, rate in f["panels"].items())
    exchange = f["exchange_cpu_pct"]
    per_msg = f["us_per_msg"]
    return (
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
        + ("" if per_msg is None else f" ({per_msg:.1f} µs per level2 msg)")
        + ("" if exchange is None else f", exchange process {exchange:.1f} %")
        + f"\n    collections: {f['gc']}"
        + f"\n    ms per second (longest call ms): {f['breakdown']}"
    )


def goals(painting: dict[str, Any], feed_only: dict[str, Any]) -> dict[str, float]:
    """The figures issue 14 sets goals on, by name."""
    from kcterm.bench.window_probe import percentile

    ticks = painting["tick_to_paint"]
    return {
        "paints_per_s": painting["panels"]["ladder"],
        "lag_p99_ms": percentile(painting["loop"], 0.99),
        "tick_to_paint_p99_ms": percentile(ticks, 0.99),
        "tick_to_paint_p50_ms": statistics.median(ticks) if ticks else 0.0,
        "app_cpu_pct": painting["app_cpu_pct"],
        "feed_cpu_pct": feed_only["app_cpu_pct"],
        "us_per_msg": painting["us_per_msg"] or 0.0,
        "feed_us_per_msg": feed_only["us_per_msg"] or 0.0,
        "msg_per_s": painting["received_per_s"],
        "feed_msg_per_s": feed_only["received_per_s"],
        "exchange_cpu_pct": painting["exchange_cpu_pct"] or 0.0,
    }


def goals_line(g: dict[str, float]) -> str:
    return (
        f"  goals: frames/s (ladder paints, each a newer book) {g['paints_per_s']:.1f} (>= 55), "
        f"loop lag p99 {g['lag_p99_ms']:.1f} ms (< 20), tick-to-paint p99 "
        f"{g['tick_to_paint_p99_ms']:.1f} ms (< 50), app CPU {g['app_cpu_pct']:.1f} % "
        f"(<= 25; the feed alone {g['feed_cpu_pct']:.1f} %), level2 {g['msg_per_s']:,.0f} msg/s "
        f"(>= 10,000); per level2 msg {g['us_per_msg']:.1f} µs painting, "
        f"{g['feed_us_per_msg']:.1f} µs the feed alone; tick-to-paint p50 "
        f"{g['tick_to_paint_p50_ms']:.1f} ms"
    )


# -- one run in a process of its own (the bench's rounds) --------------------------------------


def child_main(argv: list[str]) -> int:
    """`python -m kcterm.bench.fast_market [--seconds S] [--json]`: one measurement with the
    exchange as a child process, the figures printed (as one JSON line with --json)."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kcterm.embedded import EmbeddedExchange
    from kcterm.qt_loop import BatchedQEventLoop

    seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else SECONDS
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    loop = BatchedQEventLoop(app)  # the app's loop (kcterm.app)
    asyncio.set_event_loop(loop)
    exchange = EmbeddedExchange(fast_config())
    exchange.start()
    gc.enable()  # as the app runs
    try:
        with tempfile.TemporaryDirectory(prefix="kcterm-fast-market-") as home:
            fps, painting, feed_only = loop.run_until_complete(
                measure(exchange, Path(home) / "kcterm.ini", seconds, lambda _t, _x: True)
            )
    finally:
        exchange.stop()
        loop.close()
    figures = goals(painting, feed_only)
    if "--json" in argv:
        print(json.dumps(figures), flush=True)
    else:
        print(f"fast market, exchange as a child process; {seconds:g} s each:")
        print(report(f"window painting (frame clock at {fps} fps)", painting))
        print(report("feed only (frame clock stopped)", feed_only))
        print(goals_line(figures))
    return 0


def _one_round(seconds: float) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "kcterm.bench.fast_market", "--json", "--seconds", str(seconds)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"fast market run failed ({done.returncode}): {done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(lines[-1])
    return figures


# name in goals(), what the table says, unit, goal
ROWS = (
    ("paints_per_s", "fast market: ladder paints", "paints/s", ">= 55"),
    ("lag_p99_ms", "fast market: event-loop lag p99", "ms", "< 20"),
    ("tick_to_paint_p99_ms", "fast market: tick-to-paint p99", "ms", "< 50"),
    ("app_cpu_pct", "fast market: app CPU, window painting", "% of a core", "<= 25"),
    ("feed_cpu_pct", "fast market: app CPU, the feed alone", "% of a core", ""),
    ("us_per_msg", "fast market: app CPU per level2 msg, painting", "µs/msg", ""),
    ("feed_us_per_msg", "fast market: app CPU per level2 msg, the feed alone", "µs/msg", ""),
    ("msg_per_s", "fast market: level2 received", "msg/s", ">= 10,000"),
    ("exchange_cpu_pct", "fast market: exchange process CPU", "% of a core", ""),
)


def run(options: Options) -> Result:
    seconds = QUICK_SECONDS if options.quick else SECONDS
    rounds = [_one_round(seconds) for _ in range(options.rounds)]
    rows = []
    for key, name, unit, goal in ROWS:
        figure = Figure(tuple(r[key] for r in rounds))
        rows.append(
            Row(
                name,
                figure.median,
                unit,
                spread=f"{figure.spread()} ({len(rounds)} rounds)",
                goal=goal,
                label=key,
            )
        )
    return Result(rows)


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
