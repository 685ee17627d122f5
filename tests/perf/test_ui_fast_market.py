"""Benchmark: the whole window in the sim's fast market. Prints figures, asserts no timings.

    .venv/bin/python -m pytest -m perf -s tests/perf/test_ui_fast_market.py

The exchange runs SimConfig(tick_interval=0.001, churn=12), which publishes thousands of level2
messages a second: first as the app runs practice now, a child process (EmbeddedExchange's
default), with Python's collector on as in the app; then, for comparison, on a thread of this
process (in_process=True, as the app ran it before: it shares the interpreter and its GIL, so
its work competes with the window's; the collector stays off as the suite keeps it with an
in-thread exchange, see tests/conftest.py). The window trades as a user
would leave it: a position with a TP/SL (positions grid, account bar, chart entry, liquidation,
SL and TP lines), two resting orders, the ladder grouped. For a few seconds we sample:

- level2 messages applied per second (the book's sequence numbers),
- the repaint rate (FrameClock.frames over time; the target is its fps),
- the frame clock's own lag (FrameClock.last_lag_ms: how late each tick fired),
- the asyncio event-loop lag: how late a 10 ms sleep wakes up on the qasync loop, and how long
  a callback waits in the ready queue (call_soon), which is what a network reply waits,
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
from tests.gui.conftest import SYMBOL, Answers, dispose, run, trading_ready, wait
from tests.sessions import kucoin_session

pytestmark = pytest.mark.perf

qloop = gui.qloop  # the GUI tests' qasync loop, marked running between slices as the app's
SECONDS = 6.0
FPS = 30
FAST = SimConfig(port=0, seed=5, tick_interval=0.001, churn=12)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@pytest.fixture(params=["process", "thread"])
def venue(request) -> Iterator[tuple[str, str]]:
    """(how the exchange runs, its REST base URL)."""
    exchange = EmbeddedExchange(FAST, in_process=request.param == "thread")
    exchange.start()
    collecting = gc.isenabled()
    if request.param == "process":
        gc.enable()  # as the app runs: nothing of the exchange shares this interpreter
    try:
        yield (
            ("child process" if request.param == "process" else "thread of the app"),
            (exchange.base_url),
        )
    finally:
        if not collecting:
            gc.disable()
        exchange.stop()


async def sample(window: MainWindow, seconds: float) -> dict[str, float]:
    book = window.session.market_data.books[SYMBOL]
    clock = window.frame_clock
    loop = asyncio.get_running_loop()
    loop_lags: list[float] = []
    soon_lags: list[float] = []
    frame_lags: list[float] = []
    start_seq, start_frames, resyncs = book.sequence, clock.frames, book.resyncs
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        ran: asyncio.Future[float] = loop.create_future()
        before = time.monotonic()
        loop.call_soon(lambda f=ran: f.set_result(time.monotonic()))
        soon_lags.append((await ran - before) * 1000)
        before = time.monotonic()
        await asyncio.sleep(0.010)
        loop_lags.append((time.monotonic() - before - 0.010) * 1000)
        frame_lags.append(clock.last_lag_ms)
    elapsed = time.monotonic() - start
    return {
        "soon_p50": statistics.median(soon_lags),
        "soon_p95": percentile(soon_lags, 0.95),
        "soon_p99": percentile(soon_lags, 0.99),
        "messages_per_s": (book.sequence - start_seq) / elapsed,
        "frames_per_s": (clock.frames - start_frames) / elapsed,
        "loop_p50": statistics.median(loop_lags),
        "loop_p95": percentile(loop_lags, 0.95),
        "loop_p99": percentile(loop_lags, 0.99),
        "loop_max": max(loop_lags),
        "frame_p50": statistics.median(frame_lags),
        "frame_p95": percentile(frame_lags, 0.95),
        "frame_max": max(frame_lags),
        "resyncs": book.resyncs - resyncs,
    }


def trade_a_little(session: Session) -> None:
    """A position with a TP/SL and two resting orders: every panel has something to draw."""
    tick = session.contracts[SYMBOL].tick_size
    run(session.trading.place(session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "20"))))
    wait(lambda: session.account.positions.get(SYMBOL) is not None, 10, "the position")
    mark = session.trading.market_context(SYMBOL).mark.quantize(tick)
    plan = session.trading.plan_for_position(
        SYMBOL, str(mark - 3000 * tick), str(mark + 3000 * tick)
    )
    run(session.trading.place_bracket(plan))
    bid = session.market_data.books[SYMBOL].best_bid()[0]
    for offset in (100, 200):
        price = str(bid - offset * tick)
        run(
            session.trading.place(
                session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "3", price))
            )
        )


def test_event_loop_lag_and_repaint_rate_in_the_fast_market(
    qloop, qtbot, tmp_path: Path, venue: tuple[str, str]
) -> None:
    how, base_url = venue
    cfg = FAST
    session = kucoin_session(
        RestClient(base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase)), venue="sim"
    )
    qloop.run_until_complete(session.start([SYMBOL]))
    settings = QSettings(str(tmp_path / "kcterm.ini"), QSettings.Format.IniFormat)
    window = MainWindow(session, SYMBOL, settings=settings, fps=FPS, confirm_action=Answers())
    window.show()
    try:
        trading_ready(window)
        trade_a_little(session)
        window.book.set_group(2)
        painting: dict[str, float] = {}
        feed_only: dict[str, float] = {}

        async def measure() -> None:
            painting.update(await sample(window, SECONDS))
            window.frame_clock.stop()
            feed_only.update(await sample(window, SECONDS))

        run(measure())
        print(f"\nfast market (tick 1 ms, churn 12), exchange as a {how}; {SECONDS:.0f} s each:")
        for name, f in (("window painting at 30 fps", painting), ("feed only", feed_only)):
            print(
                f"  {name}: level2 {f['messages_per_s']:,.0f} msg/s applied, "
                f"{f['frames_per_s']:.1f} frames/s, frame-clock lag p50 {f['frame_p50']:.1f} / "
                f"p95 {f['frame_p95']:.1f} / max {f['frame_max']:.1f} ms, event-loop lag: "
                f"10 ms sleep late by p50 {f['loop_p50']:.1f} / p95 {f['loop_p95']:.1f} / p99 "
                f"{f['loop_p99']:.1f} / max {f['loop_max']:.1f} ms, call_soon waits p50 "
                f"{f['soon_p50']:.1f} / p95 {f['soon_p95']:.1f} / p99 {f['soon_p99']:.1f} ms; "
                f"resyncs {f['resyncs']:.0f}"
            )
        assert painting["messages_per_s"] > 0 and painting["frames_per_s"] > 0
        assert feed_only["frames_per_s"] == 0  # the clock was stopped: nothing repainted
    finally:
        window.frame_clock.stop()
        qloop.run_until_complete(session.stop())
        dispose(window)
