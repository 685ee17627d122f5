"""Benchmark: the app's CPU and RSS with 1, 10, 50 and all contracts in the watchlist (the
exchange's CPU apart). Prints the figures (kcterm.bench.scale measures them; `kcterm bench
--only scale` is the same run). Linux (/proc).

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_scale.py
(KCTERM_BENCH_ROUNDS sets the rounds, at most 3; 3 by default.)
"""

from __future__ import annotations

import os

import pytest

from kcterm.bench.harness import Options, markdown
from kcterm.bench.scale import run

pytestmark = [pytest.mark.perf, pytest.mark.timeout(900)]


def test_cpu_and_rss_against_contracts_in_the_watchlist() -> None:
    result = run(Options(rounds=int(os.environ.get("KCTERM_BENCH_ROUNDS", "3"))))
    print("\n" + markdown(result.rows, "scale"))
