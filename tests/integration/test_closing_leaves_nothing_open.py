"""A session that stops while requests are still wanted leaves nothing open behind it: a
closed REST client opens no new HTTP session (a request after close fails as one with no
reply), and a chart's history load still running is stopped with the session."""

from __future__ import annotations

import asyncio
import gc

import aiohttp
import pytest

from kcterm.sim import SimExchange
from kcterm.venue.kucoin.errors import TransportError
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session


async def test_a_closed_rest_client_opens_no_new_http_session(sim: SimExchange) -> None:
    rest = RestClient(sim.base_url, credentials_for(sim))
    assert (await rest.request("GET", "/api/v1/timestamp")) > 0
    await rest.close()
    with pytest.raises(TransportError, match="closed"):
        await rest.request("GET", "/api/v1/timestamp")
    gc.collect()
    open_sessions = [
        o for o in gc.get_objects() if isinstance(o, aiohttp.ClientSession) and not o.closed
    ]
    assert open_sessions == []


async def test_a_history_load_in_flight_stops_with_the_session(sim: SimExchange) -> None:
    session = kucoin_session(RestClient(sim.base_url, credentials_for(sim)), venue="sim")
    await session.start(["XBTUSDTM"])
    lease = session.market_data.lease("XBTUSDTM", "chart")
    load = asyncio.ensure_future(session.market_data.load_candles("XBTUSDTM", 1))
    await asyncio.sleep(0)  # the load has begun: its request is on the way
    await session.stop()
    lease.release()
    with pytest.raises(asyncio.CancelledError):
        await load
    assert not session.market_data._candle_loads


async def test_a_request_in_flight_when_the_client_closes_fails_at_once_without_a_retry(
    sim: SimExchange,
) -> None:
    """A window closed under a cancel-all: the DELETE (safe, so retried on a lost reply) must
    fail as a TransportError, which the action's slot catches, and not back off for a retry
    whose sleep would wake after the loop stopped (an error raised into the Qt loop)."""
    rest = RestClient(sim.base_url, credentials_for(sim))
    rest.enable_resilience()  # as the app's session does: a DELETE is retried when in doubt
    await rest.sync_clock()
    sim.drills.delay_replies(2000)
    request = asyncio.ensure_future(
        rest.request("DELETE", "/api/v3/orders", params={"symbol": "XBTUSDTM"}, signed=True)
    )
    await asyncio.sleep(0.2)  # sent; its reply is held by the exchange
    started = asyncio.get_running_loop().time()
    await rest.close()
    with pytest.raises(TransportError):
        await request
    assert asyncio.get_running_loop().time() - started < 1.0
    assert rest.stats.retries == 0
