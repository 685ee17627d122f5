"""Scale: the app's CPU and memory as the watchlist grows (1, 10, 50 and all contracts).

The watchlist holds every contract the venue lists, so the count is set on the exchange: a
kcterm-sim process listing the first N contracts (XBTUSDTM, the window's, among them). The app
runs as a user starts it on a custom profile pointed at that sim (`kcterm --profile bench
--screenshot F --after S`: the window, all its panels and feeds, exits S seconds after its first
painted frame with data); from WARM_S after that frame, for WINDOW_S, this process reads the
app's CPU time and resident memory from /proc (Linux), and the exchange's CPU apart. "All" is
every contract the sim lists by default (35); N beyond them lists that many more synthetic alt
contracts (SimConfig listings, `kcterm-sim --listings`: ALT01USDTM ...), so 50 is measured as
50. Rounds interleave the counts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kcterm.bench.harness import Figure, Options, Plot, Result, Row, Series
from kcterm.bench.proc import cpu_seconds, rss_mb
from kcterm.bench.startup import PAINTED, PROFILE, TIMEOUT, _home, _wait_for_group

if TYPE_CHECKING:
    from kcterm.sim.config import SimConfig

COUNTS = (1, 10, 50, 0)  # 0: every contract
WARM_S = 2.0  # after the first frame: the chart, the candles and the first reconcile pass
WINDOW_S = 8.0
QUICK_WINDOW_S = 1.0
FIRST = "XBTUSDTM"


def _config(count: int) -> SimConfig:
    """The sim listing `count` contracts (0: its default listing, every real one)."""
    from kcterm.sim.config import SimConfig
    from kcterm.sim.specs import CONTRACTS

    if count > len(CONTRACTS):
        return SimConfig(seed=7, listings=count - len(CONTRACTS))
    return SimConfig(seed=7, contracts=_symbols(count))


def _symbols(count: int) -> tuple[str, ...]:
    from kcterm.sim.specs import CONTRACTS

    ordered = [FIRST, *(c.symbol for c in CONTRACTS if c.symbol != FIRST)]
    return tuple(ordered if count <= 0 or count >= len(ordered) else ordered[:count])


def measure(count: int, root: Path, window_s: float) -> tuple[float, float, float]:
    """(app CPU % of a core, app RSS MB at the end, exchange CPU % of a core) for `count`."""
    from kcterm.embedded import EmbeddedExchange

    exchange = EmbeddedExchange(_config(count))
    url = exchange.start()
    try:
        env = _home(root / f"scale-{count}-{time.monotonic_ns()}", url)
        command = [
            sys.executable,
            "-m",
            "kcterm",
            "--profile",
            PROFILE,
            "--screenshot",
            str(root / "scale.png"),
            "--after",
            str(WARM_S + window_s + 1.0),
        ]
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=env["HOME"],
            text=True,
            start_new_session=os.name == "posix",
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip() == PAINTED:
                    break
            else:
                raise RuntimeError(f"{' '.join(command)} ended without painting")
            time.sleep(WARM_S)
            sim_pid = exchange.pid
            assert sim_pid is not None
            app0, sim0, wall0 = cpu_seconds(proc.pid), cpu_seconds(sim_pid), time.monotonic()
            time.sleep(window_s)
            app1, sim1, wall1 = cpu_seconds(proc.pid), cpu_seconds(sim_pid), time.monotonic()
            rss = rss_mb(proc.pid)
            proc.stdout.read()
            proc.wait(TIMEOUT)
            _wait_for_group(proc.pid)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        exchange.stop()
    span = wall1 - wall0
    return (app1 - app0) / span * 100, rss, (sim1 - sim0) / span * 100


def run(options: Options) -> Result:
    if not sys.platform.startswith("linux"):
        raise RuntimeError("the scale benchmark reads /proc: Linux only")
    window_s = QUICK_WINDOW_S if options.quick else WINDOW_S
    rounds = 1 if options.quick else max(1, min(options.rounds, 3))
    available = len(_symbols(0))
    counts = sorted({c if c > 0 else available for c in COUNTS})
    samples: dict[int, list[tuple[float, float, float]]] = {c: [] for c in counts}
    with tempfile.TemporaryDirectory(prefix="kcterm-bench-") as tmp:
        for index in range(rounds):
            for count in counts if index % 2 == 0 else reversed(counts):
                samples[count].append(measure(count, Path(tmp), window_s))
    rows: list[Row] = []
    cpu = {c: Figure(tuple(s[0] for s in samples[c])) for c in counts}
    rss = {c: Figure(tuple(s[1] for s in samples[c])) for c in counts}
    sim = {c: Figure(tuple(s[2] for s in samples[c])) for c in counts}
    for count in counts:
        what = f"{count} contract{'s' if count > 1 else ''}" + (
            " (all the sim lists)"
            if count == available
            else f" ({count - available} synthetic)"
            if count > available
            else ""
        )
        spread = f"{len(samples[count])} rounds of {window_s:g} s"
        rows.append(
            Row(
                f"app CPU, {what} in the watchlist (exchange apart: {sim[count].median:.1f} %)",
                cpu[count].median,
                "% of a core",
                spread=f"{cpu[count].spread()} ({spread})",
            )
        )
        rows.append(
            Row(
                f"app RSS, {what} in the watchlist",
                rss[count].median,
                "MB",
                spread=f"{rss[count].spread()} ({spread})",
            )
        )
    xs = tuple(float(c) for c in counts)
    plots = [
        Plot(
            "CPU against contracts in the watchlist (median)",
            "contracts",
            "% of a core",
            (
                Series("app", xs, tuple(cpu[c].median for c in counts)),
                Series("exchange", xs, tuple(sim[c].median for c in counts)),
            ),
        ),
        Plot(
            "app RSS against contracts in the watchlist (median)",
            "contracts",
            "MB",
            (Series("app", xs, tuple(rss[c].median for c in counts)),),
        ),
    ]
    return Result(rows, plots)
