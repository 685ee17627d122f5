"""The REST client's resilience against the sim's drills, over loopback: 503s retried only for
requests safe to repeat, a 429 waited out, a skewed clock resynced, a pool never overrun."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.errors import ExchangeUnavailableError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.retry import RetryPolicy
from tests.integration.conftest import credentials_for

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def small() -> AsyncIterator[SimExchange]:
    """Small Futures pool and a one-second window, so throttling shows in a short test."""
    exchange = SimExchange(
        SimConfig(port=0, market=False, seed=5, futures_quota=40, rate_window_ms=1000)
    )
    await exchange.start()
    yield exchange
    await exchange.stop()


@pytest.fixture
async def client(small: SimExchange) -> AsyncIterator[RestClient]:
    rest = RestClient(small.base_url, credentials_for(small))
    rest.enable_resilience(policy=RetryPolicy(backoff_base=0.01, backoff_cap=0.05))
    await rest.sync_clock()
    yield rest
    await rest.close()


async def test_reads_ride_out_503s_but_an_order_is_never_resent_here(
    small: SimExchange, client: RestClient
) -> None:
    small.drills.fail_next(3)
    assert await client.active_orders() == []
    assert client.stats.http_5xx == 3 and client.stats.retries == 3
    small.drills.fail_next(1)
    order = {"clientOid": "resil-1", "symbol": "XBTUSDTM", "side": "buy", "type": "limit",
             "price": "1000", "size": 1, "leverage": 5, "marginMode": "ISOLATED"}  # fmt: skip
    with pytest.raises(ExchangeUnavailableError):
        await client.place_order(order)
    assert client.stats.http_5xx == 4 and client.stats.retries == 3  # no blind retry


async def test_an_exhausted_pool_is_waited_out_and_the_read_succeeds(
    small: SimExchange, client: RestClient
) -> None:
    await client.active_orders()
    small.drills.exhaust_pool("Futures")
    assert await client.active_orders() == []  # refused once, waited for the reset, again
    assert client.stats.http_429 == 1 and client.throttler is not None
    assert client.throttler.refusals == 1
    assert small.drills.state()["counters"]["http429Sent"] == 1


async def test_a_skewed_clock_is_resynced_once_and_the_call_goes_through(
    small: SimExchange, client: RestClient
) -> None:
    small.drills.skew_clock(10_000)
    assert await client.active_orders() == []
    assert client.stats.clock_resyncs == 1
    assert 9_000 < client.clock_offset_ms < 11_000
    assert client.clock_rtt_ms is not None


async def test_the_learnt_budget_keeps_a_burst_under_the_quota(
    small: SimExchange, client: RestClient
) -> None:
    await client.active_orders()  # the first reply teaches quota and window
    budget = client.pool_budgets()["Futures"]
    assert budget.limit == 40
    # 30 reads of weight 2 is 60 in a pool of 40 per second: the throttler must spread them.
    results = await asyncio.gather(*(client.active_orders() for _ in range(30)))
    assert results == [[]] * 30
    assert client.stats.http_429 == 0
    assert client.throttler is not None and client.throttler.waits > 0


async def test_a_fresh_client_never_bursts_past_the_quota_before_it_knows_it() -> None:
    """Issue 10 item 9: before the first reply every request went (150 accepted, 350 × 429).
    A fresh client must hold the burst until a reply has shown the pool's quota."""
    exchange = SimExchange(
        SimConfig(port=0, market=False, seed=5, futures_quota=60, rate_window_ms=1000)
    )
    await exchange.start()
    rest = RestClient(exchange.base_url, credentials_for(exchange))
    rest.enable_resilience(policy=RetryPolicy(backoff_base=0.01, backoff_cap=0.05))
    try:
        # 80 reads of weight 2 is 160 in a pool of 60 per second, all at once, nothing known.
        results = await asyncio.gather(*(rest.active_orders() for _ in range(80)))
        assert results == [[]] * 80
        assert exchange.drills.state()["counters"]["http429Sent"] == 0
        assert rest.stats.http_429 == 0
        assert rest.pool_budgets()["Futures"].limit == 60
    finally:
        await rest.close()
        await exchange.stop()
