"""Benchmark: start to the first painted window with data, kcterm (practice, and on a running
kcterm-sim) against a minimal PySide6 + qasync + aiohttp + pyqtgraph window. Prints the
figures (kcterm.bench.startup measures them; `kcterm bench --only startup` is the same run).

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_startup.py
(KCTERM_BENCH_ROUNDS sets the interleaved rounds, 7 by default.)
"""

from __future__ import annotations

import os

import pytest

from kcterm.bench.harness import Options, markdown
from kcterm.bench.startup import run

pytestmark = [pytest.mark.perf, pytest.mark.timeout(900)]


def test_start_to_first_painted_window_with_data() -> None:
    result = run(Options(rounds=int(os.environ.get("KCTERM_BENCH_ROUNDS", "7"))))
    print("\n" + markdown(result.rows, "start-up"))
