"""Figures for issue 13: live WS subscriptions after opening and closing ten symbols, and REST
calls per minute at idle with three symbols opened and closed. Prints them.

A Session against kcterm.sim over loopback, with the journal's FillSync wired as
kcterm.profile_runner wires it (its funding reads follow the session's books). "Open" is what
the window does when a symbol is chosen: a lease (before leases existed: Session.watch);
"close" releases it (before: nothing could). The REST figure counts every request the client
put on the wire (RestClient._send, retries included) over a measured 60 s window.

The test runs on the code before leases too (it adapts), so the same file gives both figures:
  .venv/bin/python -m pytest -m perf -s tests/perf/test_subscriptions_and_idle_rest.py
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kcterm.core.session import Session
from kcterm.journal_store import FillSync, JournalRecorder, JournalWriter, follow_session
from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import StreamState
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

pytestmark = pytest.mark.perf

FIRST = "XBTUSDTM"  # the window's symbol: held throughout
WATCHLIST_TOPIC = "/contractMarket/ticker:"  # one batch topic for many symbols
IDLE_WINDOW_S = 60.0


class CountingRestClient(RestClient):
    """The real client; every request it sends on the wire is counted by path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: Counter[str] = Counter()

    async def _send(self, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        self.sent[f"{method} {path}"] += 1
        return await super()._send(method, path, *args, **kwargs)


@pytest.fixture
async def sim() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=True, seed=11))
    await exchange.start()
    yield exchange
    await exchange.stop()


@pytest.fixture
async def desk(sim: SimExchange, tmp_path: Path) -> AsyncIterator[tuple[Session, FillSync]]:
    rest = CountingRestClient(sim.base_url, credentials_for(sim))
    session = kucoin_session(rest, venue="sim")
    writer = JournalWriter(tmp_path / "journal.sqlite")
    writer.start()

    def contract(symbol: str) -> tuple[Decimal, bool] | None:
        found = session.contracts.get(symbol)
        return None if found is None else (found.multiplier, found.is_inverse)

    recorder = JournalRecorder(writer, contract, journal=session.journal)
    sync = follow_session(recorder, session)  # as the app attaches the journal file
    await session.start([FIRST])
    await wait_for(
        lambda: (
            session.adapter.public.state is StreamState.CONNECTED
            and session.market_data.books[FIRST].is_live
        ),
        15,
        "the session connected",
    )
    yield session, sync
    await session.stop()
    writer.close()


async def open_and_close(session: Session, symbols: list[str]) -> None:
    market = getattr(session, "market_data", None)
    for symbol in symbols:
        if market is not None:
            lease = market.lease(symbol, "window")
        else:
            await session.watch(symbol)
        await wait_for(
            lambda s=symbol: (
                s in session.market_data.books and session.market_data.books[s].is_live
            ),
            15,
            f"{symbol} live",
        )
        if market is not None:
            lease.release()
    if market is not None:  # the grace period of the last ones
        await wait_for(
            lambda: list(session.market_data.books) == [FIRST], 30, "the grace periods to end"
        )


def subscription_counts(session: Session, sim: SimExchange) -> dict[str, int]:
    topics = [t for s in session.adapter.public.streams for t in s.topics]
    public = [c for c in sim.hub.connections if c.user_id is None]
    return {
        "client public topics (as subscribed)": len(topics),
        "client public topics (single-symbol)": sum(
            s.topic_count() for s in session.adapter.public.streams
        ),
        "client per-symbol topics": sum(1 for t in topics if not t.startswith(WATCHLIST_TOPIC)),
        "client public connections": len(session.adapter.public.streams),
        "books kept": len(session.market_data.books),
        "sim public connections": len(public),
        "sim public topics (single-symbol)": sum(len(c.topics) for c in public),
    }


async def test_live_subscriptions_after_opening_and_closing_ten_symbols(
    desk: tuple[Session, FillSync], sim: SimExchange
) -> None:
    session, _ = desk
    before = subscription_counts(session, sim)
    symbols = [s for s in sorted(session.contracts) if s != FIRST][:10]
    await open_and_close(session, symbols)
    await wait_for(
        lambda: (
            subscription_counts(session, sim)["sim public topics (single-symbol)"]
            == subscription_counts(session, sim)["client public topics (single-symbol)"]
        ),
        10,
        "the exchange to agree with the client",
    )
    after = subscription_counts(session, sim)
    print(f"\nsubscriptions with {FIRST} only: {before}")
    print(f"after opening and closing {len(symbols)} symbols: {after}")
    assert after["client per-symbol topics"] >= before["client per-symbol topics"]


@pytest.mark.timeout(IDLE_WINDOW_S + 120)
async def test_rest_calls_per_minute_at_idle_with_three_symbols_opened_and_closed(
    desk: tuple[Session, FillSync],
) -> None:
    session, _ = desk
    rest = session.adapter.rest
    assert isinstance(rest, CountingRestClient)
    symbols = [s for s in sorted(session.contracts) if s != FIRST][:3]
    await open_and_close(session, symbols)
    await asyncio.sleep(2.0)  # the opening's own requests (snapshots, history) are done
    rest.sent.clear()
    start = time.monotonic()
    await asyncio.sleep(IDLE_WINDOW_S)  # measuring idle: nothing to wait for but the clock
    elapsed = time.monotonic() - start
    total = sum(rest.sent.values())
    per_minute = total * 60.0 / elapsed
    print(f"\nREST at idle over {elapsed:.0f} s, {FIRST} held, {symbols} opened and closed:")
    print(f"  {per_minute:.1f} requests/min ({total} in {elapsed:.0f} s)")
    for path, count in sorted(rest.sent.items()):
        print(f"  {count:4d}  {path}")
    assert total > 0  # the contract poll alone sends some
