"""Streams against the sim: topics spread over connections at the cap, every connection comes
back with its own topics after a drop, and stopped pongs show as stale, then as a dead link."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import StreamState
from kcterm.venue.kucoin.stream_group import StreamGroup
from tests.integration.conftest import credentials_for
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(30)

SYMBOLS = ("XBTUSDTM", "ETHUSDTM")


@pytest.fixture
async def fast() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(
        SimConfig(port=0, market=False, seed=3, ping_interval_ms=400, ping_timeout_ms=600)
    )
    await exchange.start()
    yield exchange
    await exchange.stop()


async def test_topics_spread_over_connections_and_each_returns_after_a_drop(
    fast: SimExchange,
) -> None:
    rest = RestClient(fast.base_url, credentials_for(fast))
    seen: dict[str, int] = {}
    reconnected: list[list[str]] = []
    group = StreamGroup(
        rest.bullet_public, max_topics=2, backoff_base=0.02, backoff_cap=0.1,
        on_connected=reconnected.append,
    )  # fmt: skip
    for symbol in SYMBOLS:
        for kind in ("level2", "execution"):
            topic = f"/contractMarket/{kind}:{symbol}"
            group.subscribe(topic, lambda frame, t=topic: seen.__setitem__(t, seen.get(t, 0) + 1))
    run = asyncio.ensure_future(group.run())
    try:
        assert len(group.streams) == 2 and [s.topic_count() for s in group.streams] == [2, 2]
        await wait_for(lambda: group.state is StreamState.CONNECTED, 5, "both connected")
        await fast.step_market(5)
        await wait_for(lambda: len(seen) >= 2, 5, "data on both connections")
        assert {t.rsplit(":", 1)[1] for t in seen} == set(SYMBOLS)
        fast.drills.drop_connections("public")
        await wait_for(lambda: group.connections == 4, 5, "both reconnected")
        await wait_for(lambda: group.state is StreamState.CONNECTED, 5, "connected again")
        assert sorted(map(sorted, reconnected[-2:])) == sorted(
            sorted(s.topics) for s in group.streams
        )
        before = dict(seen)
        await fast.step_market(5)
        await wait_for(lambda: any(seen[t] > before.get(t, 0) for t in seen), 5, "data again")
        statuses = group.statuses()
        assert [s.name for s in statuses] == ["public", "public-2"]
        assert all(s.attempt == 0 and s.label == "connected" for s in statuses)
    finally:
        await group.close()
        await run
        await rest.close()


async def test_stopped_pongs_make_the_stream_stale_then_it_reconnects(fast: SimExchange) -> None:
    rest = RestClient(fast.base_url, credentials_for(fast))
    states: list[StreamState] = []
    group = StreamGroup(
        rest.bullet_public, backoff_base=0.02, backoff_cap=0.1,
        on_state=lambda _name, state, _detail: states.append(state),
    )  # fmt: skip
    group.subscribe("/contractMarket/tickerV2:XBTUSDTM", lambda frame: None)
    run = asyncio.ensure_future(group.run())
    try:
        await wait_for(lambda: group.state is StreamState.CONNECTED, 5, "connected")
        fast.drills.stop_pongs(3.0)
        await wait_for(lambda: StreamState.STALE in states, 5, "marked stale")
        await wait_for(lambda: group.connections >= 2, 8, "declared dead and reconnected")
        assert StreamState.RECONNECTING in states[states.index(StreamState.STALE) :]
    finally:
        await group.close()
        await run
        await rest.close()
