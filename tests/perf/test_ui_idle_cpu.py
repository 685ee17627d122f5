"""Benchmark: an idle trader's window on the default practice market. Prints figures only.

    .venv/bin/python -m pytest -m perf -s tests/perf/test_ui_idle_cpu.py

The practice exchange as the app starts it (kcterm.profile_runner: SimConfig's defaults, every
contract, a market step every 0.2 s) in its own process; the window as the Desk shows it
(default frame rate, stale veils on its docks), on XBTUSDTM, no order, no position. Once the
interlock is open and the chart's history is in, nothing is touched for IDLE_S seconds, and we
print the CPU of the app process (every thread) and of the exchange's process apart, as % of
one core, with the window's frames per second and each panel's paints per second
(tests/perf/window_probe.py). Issue 14's goal: the app at most 3 % of a core.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.main_window import MainWindow
from kcterm.ui.stale_veil import veil_docks
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from tests.gui import conftest as gui
from tests.gui.conftest import SYMBOL, dispose, trading_ready, until
from tests.perf.window_probe import (
    CpuBreakdown,
    GcPauses,
    PaintCounter,
    cpu_seconds,
    thread_cpu_seconds,
)
from tests.sessions import kucoin_session

pytestmark = pytest.mark.perf

qloop = gui.qloop  # the GUI tests' qasync loop, run once below as the app runs its loop
IDLE_S = 20.0
SETTLE_S = 3.0
BREAKDOWN_S = 10.0
PRACTICE = SimConfig(port=0, seed=7)  # the defaults the app's practice profile runs


@pytest.fixture
def practice() -> Iterator[EmbeddedExchange]:
    exchange = EmbeddedExchange(PRACTICE)
    exchange.start()
    collecting = gc.isenabled()
    gc.enable()  # as the app runs
    try:
        yield exchange
    finally:
        if not collecting:
            gc.disable()
        exchange.stop()


def test_idle_trader_cpu_on_the_practice_market(
    qloop, qtbot, tmp_path: Path, practice: EmbeddedExchange
) -> None:
    cfg = practice.config
    settings = QSettings(str(tmp_path / "kcterm.ini"), QSettings.Format.IniFormat)
    figures: dict[str, float] = {}
    shares: list[str] = []

    async def idle_trader() -> tuple[int, int, int]:
        # One run of the loop from the session's start to its stop, as the app runs it.
        session = kucoin_session(
            RestClient(practice.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase)),
            venue="sim",
        )
        await session.start([SYMBOL])
        window = MainWindow(session, SYMBOL, settings=settings)
        veils = veil_docks(window)
        window.show()
        paints = PaintCounter(window)
        try:
            await trading_ready(window)
            await until(lambda: window.chart.series is not None, 15, "the chart's history")
            await asyncio.sleep(SETTLE_S)
            print("\nmeasuring: idle", flush=True)  # a profiler may attach now
            clock = window.frame_clock
            frames, painted = paints.snapshot()
            ticks, clock_frames, resting = clock.ticks, clock.frames, clock.resting_ticks
            app, exchange = cpu_seconds(), cpu_seconds(practice.pid)
            start = time.monotonic()
            with GcPauses() as collections:
                await asyncio.sleep(IDLE_S)
            elapsed = time.monotonic() - start
            shares.append(f"collections {collections.summary()}")
            figures["app"] = 100 * (cpu_seconds() - app) / elapsed
            figures["exchange"] = 100 * (cpu_seconds(practice.pid) - exchange) / elapsed
            now_frames, now_painted = paints.snapshot()
            figures["frames"] = (now_frames - frames) / elapsed
            figures["ticks"] = (clock.ticks - ticks) / elapsed
            figures["clock frames"] = (clock.frames - clock_frames) / elapsed
            figures["resting"] = (clock.resting_ticks - resting) / elapsed
            for name in [*paints.widgets, *paints.docks]:
                figures[f"paint:{name}"] = (now_painted[name] - painted[name]) / elapsed
            # Then, apart (the timing costs a little itself): where the CPU goes.
            breakdown = CpuBreakdown(window)
            threads = thread_cpu_seconds()
            app = cpu_seconds()
            start = time.monotonic()
            await asyncio.sleep(BREAKDOWN_S)
            elapsed = time.monotonic() - start
            breakdown.remove()
            busy = {
                name: (used - threads.get(name, 0.0)) / elapsed * 1000
                for name, used in thread_cpu_seconds().items()
            }
            shares.append(
                "by thread "
                + ", ".join(
                    f"{n} {ms:.1f}" for n, ms in sorted(busy.items(), key=lambda i: -i[1]) if ms
                )
            )
            total = (cpu_seconds() - app) / elapsed * 1000
            timed = sum(breakdown.seconds.values()) / elapsed * 1000
            shares.append(f"app {total:.1f} in all; in ms/s (longest call ms):")
            shares.append(breakdown.summary(elapsed))
            shares.append(
                f"the rest (Qt painting and layout, the loop, other threads) {total - timed:.1f}"
            )
            fps = round(1000 / window.frame_clock._frame_ms)
            return fps, len(session.contracts), len(veils)
        finally:
            paints.remove()
            window.frame_clock.stop()
            await session.stop()
            dispose(window)

    fps, contracts, veils = qloop.run_until_complete(idle_trader())
    panels = ", ".join(
        f"{k.split(':', 1)[1]} {v:.1f}" for k, v in figures.items() if k.startswith("paint:")
    )
    print(
        f"\nidle trader, default practice market ({contracts} contracts, "
        f"step {cfg.tick_interval} s), {IDLE_S:.0f} s, frame clock at {fps} fps, "
        f"{veils} stale veils:\n"
        f"  CPU: app process {figures['app']:.1f} % of a core (goal <= 3), exchange "
        f"process {figures['exchange']:.1f} %\n"
        f"  window {figures['frames']:.1f} flushes/s; frame clock {figures['ticks']:.1f} "
        f"ticks/s ({figures['resting']:.1f} of them resting) for "
        f"{figures['clock frames']:.1f} frames/s\n"
        f"  paints/s: {panels}\n"
        f"  CPU breakdown over {BREAKDOWN_S:.0f} s (ms of CPU per second): " + ", ".join(shares)
    )
    assert figures["ticks"] > 0
