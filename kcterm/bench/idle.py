"""Idle: an idle trader on the default practice market, as a user starts it.

`kcterm --screenshot F --after S` on the practice profile (no profile named: the app starts its
own exchange as a child process with SimConfig's defaults, every contract, a market step every
0.2 s). The window shows XBTUSDTM with all its panels and feeds, no order, no position, and
nothing is touched. From WARM_S after its first painted frame with data (the chart's history
and the first reconcile pass are in by then), for WINDOW_S, this process reads from /proc the
CPU time of the app's process (every thread) and, apart, of the exchange it started. Issue 14's
goal: the app at most 3 % of a core.

tests/perf/test_ui_idle_cpu.py measures the same idle window inside a test process, with each
panel's paints per second and a per-callback breakdown; this one is the app as shipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kcterm.bench.harness import Figure, Options, Result, Row
from kcterm.bench.proc import children, cpu_seconds, rss_mb
from kcterm.bench.startup import PAINTED, TIMEOUT, _home, _wait_for_group

WARM_S = 3.0
WINDOW_S = 20.0
QUICK_WINDOW_S = 2.0
GOAL_PCT = 3.0


def measure(root: Path, window_s: float) -> tuple[float, float, float]:
    """(app CPU % of a core, exchange CPU % of a core, app RSS MB) over `window_s`."""
    env = _home(root / f"idle-{time.monotonic_ns()}", None)
    command = [
        sys.executable,
        "-m",
        "kcterm",
        "--screenshot",
        str(root / "idle.png"),
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
        exchange = children(proc.pid)
        if not exchange:
            raise RuntimeError("the practice profile started no exchange process")
        app0, wall0 = cpu_seconds(proc.pid), time.monotonic()
        sim0 = sum(cpu_seconds(pid) for pid in exchange)
        time.sleep(window_s)
        app1, wall1 = cpu_seconds(proc.pid), time.monotonic()
        sim1 = sum(cpu_seconds(pid) for pid in exchange)
        rss = rss_mb(proc.pid)
        proc.stdout.read()
        proc.wait(TIMEOUT)
        _wait_for_group(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    span = wall1 - wall0
    return (app1 - app0) / span * 100, (sim1 - sim0) / span * 100, rss


def run(options: Options) -> Result:
    if not sys.platform.startswith("linux"):
        raise RuntimeError("the idle benchmark reads /proc: Linux only")
    window_s = QUICK_WINDOW_S if options.quick else WINDOW_S
    rounds = 1 if options.quick else max(1, min(options.rounds, 5))
    with tempfile.TemporaryDirectory(prefix="kcterm-bench-") as tmp:
        samples = [measure(Path(tmp), window_s) for _ in range(rounds)]
    app = Figure(tuple(s[0] for s in samples))
    sim = Figure(tuple(s[1] for s in samples))
    rss = Figure(tuple(s[2] for s in samples))
    spread = f"{rounds} round{'s' if rounds > 1 else ''} of {window_s:g} s"
    return Result(
        [
            Row(
                "app CPU, an idle trader on the default practice market",
                app.median,
                "% of a core",
                spread=f"{app.spread()} ({spread})",
                goal=f"<= {GOAL_PCT:g} %",
                label="idle app CPU",
            ),
            Row(
                "its exchange's process CPU, apart",
                sim.median,
                "% of a core",
                spread=f"{sim.spread()} ({spread})",
            ),
            Row("app RSS, idle", rss.median, "MB", spread=f"{rss.spread()} ({spread})"),
        ]
    )
