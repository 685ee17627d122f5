"""Benchmark: REST calls per minute at idle, by path. A Session on the practice exchange over
loopback, with the on-disk journal attached as the app does (profile_runner), three symbols
watched (opened; nothing unsubscribes yet, so closing a panel changes nothing), no orders, no
position. Requests are counted at the client (RestStats.by_path: what went on the wire).

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_idle_rest_calls.py
(KCTERM_IDLE_SECONDS sets the window, 120 s by default so that a 60 s schedule is seen whole.)
Issue 13: one reconciler, so fewer calls at idle; funding is read for held contracts only.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path

import pytest

from kcterm.journal_store import JournalRecorder, JournalWriter, follow_session
from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

SECONDS = float(os.environ.get("KCTERM_IDLE_SECONDS", "120"))
pytestmark = [pytest.mark.perf, pytest.mark.timeout(int(SECONDS) + 90)]
SYMBOLS = ("XBTUSDTM", "ETHUSDTM", "SOLUSDTM")


async def test_rest_calls_per_minute_at_idle(tmp_path: Path) -> None:
    sim = SimExchange(SimConfig(port=0, seed=11))  # its market runs: idle is the trader only
    await sim.start()
    session = kucoin_session(RestClient(sim.base_url, credentials_for(sim)), venue="sim")
    writer = JournalWriter(tmp_path / "journal.sqlite")
    writer.start()
    recorder = JournalRecorder(writer, lambda s: (session.contracts[s].multiplier, False))
    follow_session(recorder, session)
    try:
        await session.start([])
        for symbol in SYMBOLS:
            await session.watch(symbol)
        await wait_for(
            lambda: session.reconciler.stats.passes >= 1 and session.reconciler.idle,
            15,
            "the first reconcile pass",
        )
        before = Counter(session.adapter.rest.stats.by_path)
        await asyncio.sleep(SECONDS)  # the measuring window itself, not a wait for an event
        got = Counter(session.adapter.rest.stats.by_path) - before
    finally:
        await session.stop()
        writer.close()
        await sim.stop()
    per_minute = {path: count * 60 / SECONDS for path, count in got.items()}
    total = sum(per_minute.values())
    print(f"\nREST calls per minute at idle ({SECONDS:.0f} s window, 3 symbols watched):")
    for path, rate in sorted(per_minute.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {rate:7.2f}  {path}")
    print(f"  {total:7.2f}  total")
    # One reconciler: each list at most once per pass (60 s) plus the edge of the window, and
    # no funding without a position.
    for path in ("GET /api/v1/recentFills", "GET /api/v1/recentDoneOrders"):
        assert per_minute.get(path, 0) <= 1.5, path
    assert per_minute.get("GET /api/v1/funding-history", 0) == 0
