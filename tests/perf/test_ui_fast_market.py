"""Benchmark: the whole window in the sim's fast market. Prints figures, asserts no timings.

    .venv/bin/python -m pytest -m perf -s tests/perf/test_ui_fast_market.py

What it runs and measures is kcterm/bench/fast_market.py (`kcterm bench --only fast_market`
runs the same, the exchange as a child process): here in the test's qasync loop, first with the
exchange as a child process (EmbeddedExchange's default, as the app runs practice), with
Python's collector on as in the app; then, for comparison, on a thread of this process
(in_process=True, as the app ran it before: it shares the interpreter and its GIL; the
collector stays off as the suite keeps it with an in-thread exchange, see tests/conftest.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from kcterm.bench import fast_market
from kcterm.embedded import EmbeddedExchange
from tests.gui import conftest as gui
from tests.gui.conftest import MAJORS, Answers

pytestmark = pytest.mark.perf

qloop = gui.qloop  # the GUI tests' qasync loop, run once below as the app runs its loop
SECONDS = fast_market.SECONDS


@pytest.fixture(params=["process", "thread"])
def venue(request) -> Iterator[tuple[str, EmbeddedExchange]]:
    """(how the exchange runs, the exchange)."""
    exchange = EmbeddedExchange(fast_market.fast_config(), in_process=request.param == "thread")
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


def test_event_loop_lag_and_repaint_rate_in_the_fast_market(
    qloop, qtbot, tmp_path: Path, venue: tuple[str, EmbeddedExchange]
) -> None:
    how, exchange = venue
    fps, painting, feed_only = qloop.run_until_complete(
        fast_market.measure(exchange, tmp_path / "kcterm.ini", SECONDS, Answers())
    )
    print(
        f"\nfast market (tick 1 ms, churn 12, {len(MAJORS)} contracts), exchange as a {how};"
        f" {SECONDS:.0f} s each:"
    )
    print(fast_market.report(f"window painting (frame clock at {fps} fps)", painting))
    print(fast_market.report("feed only (frame clock stopped)", feed_only))
    print(fast_market.goals_line(fast_market.goals(painting, feed_only)))
    assert painting["applied_per_s"] > 0 and painting["frames_per_s"] > 0
    assert feed_only["ticks_per_s"] == 0  # the clock was stopped: nothing refreshed
