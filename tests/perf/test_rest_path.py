"""Benchmark: the signed REST round trip through kcterm's client against raw aiohttp on the same
kcterm-sim, requests a second and client CPU per request. Prints the figures
(kcterm.bench.rest measures them; `kcterm bench --only rest` is the same run).

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_rest_path.py
(KCTERM_BENCH_ROUNDS sets the interleaved rounds, 7 by default.)
"""

from __future__ import annotations

import os

import pytest

from kcterm.bench.harness import Options, markdown
from kcterm.bench.rest import run

pytestmark = [pytest.mark.perf, pytest.mark.timeout(900)]


def test_signed_rest_round_trip_against_raw_aiohttp() -> None:
    result = run(Options(rounds=int(os.environ.get("KCTERM_BENCH_ROUNDS", "7"))))
    print("\n" + markdown(result.rows, "REST path"))
