"""Rate-limit pools over loopback with small quotas: gw-ratelimit-* headers on every reply
(errors included), 429000 with HTTP 429 when a pool is empty, Public per IP and Futures per key,
and a window that comes back after it ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import auth_headers
from tests.integration.conftest import credentials_for

HEADERS = ("gw-ratelimit-limit", "gw-ratelimit-remaining", "gw-ratelimit-reset")


@pytest.fixture
async def small() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=False, public_quota=10, futures_quota=6))
    await exchange.start()
    yield exchange
    await exchange.stop()


async def send(
    sim: SimExchange, method: str, path: str, *, signed: bool = False, body: bytes = b""
) -> tuple[int, dict[str, Any], dict[str, int]]:
    headers = {"Content-Type": "application/json"}
    if signed:
        now = int(time.time() * 1000)
        headers.update(auth_headers(credentials_for(sim), method, path, body.decode(), now))
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, f"{sim.base_url}{path}", data=body or None, headers=headers) as r,
    ):
        limits = {name: int(r.headers[name]) for name in HEADERS if name in r.headers}
        return r.status, orjson.loads(await r.read()), limits


async def test_public_pool_empties_at_its_weight_and_answers_429000(small: SimExchange) -> None:
    remaining = []
    for _ in range(5):  # GET /api/v1/timestamp weighs 2; the quota is 10
        status, body, limits = await send(small, "GET", "/api/v1/timestamp")
        assert (status, body["code"], limits["gw-ratelimit-limit"]) == (200, "200000", 10)
        assert 0 < limits["gw-ratelimit-reset"] <= 30_000
        remaining.append(limits["gw-ratelimit-remaining"])
    assert remaining == [8, 6, 4, 2, 0]
    status, body, limits = await send(small, "GET", "/api/v1/timestamp")
    assert (status, body["code"]) == (429, "429000") and body["msg"]
    assert set(limits) == set(HEADERS) and limits["gw-ratelimit-remaining"] == 0
    assert 0 < limits["gw-ratelimit-reset"] <= 30_000
    assert small.drills.state()["counters"]["http429Sent"] == 1


async def test_the_futures_pool_is_per_key_and_apart_from_public(small: SimExchange) -> None:
    for left in (4, 2, 0):  # GET /api/v1/orders weighs 2; the quota is 6
        status, _, limits = await send(small, "GET", "/api/v1/orders?status=active", signed=True)
        assert (status, limits["gw-ratelimit-remaining"]) == (200, left)
    status, body, limits = await send(small, "GET", "/api/v1/orders?status=active", signed=True)
    assert (status, body["code"], limits["gw-ratelimit-limit"]) == (429, "429000", 6)
    status, _, limits = await send(small, "GET", "/api/v1/timestamp")  # Public still full
    assert (status, limits["gw-ratelimit-remaining"]) == (200, 8)


async def test_error_replies_carry_the_headers_too(small: SimExchange) -> None:
    status, body, limits = await send(small, "GET", "/api/v1/ticker")  # no symbol: 400100
    assert (status, body["code"], limits["gw-ratelimit-remaining"]) == (400, "400100", 8)
    status, body, limits = await send(small, "GET", "/api/v1/no-such-thing")  # default weight 1
    assert (status, body["code"], limits["gw-ratelimit-remaining"]) == (404, "404000", 7)
    # A private call that fails authentication is charged to the caller's IP, not to a key.
    status, body, limits = await send(small, "GET", "/api/v1/orders")
    assert (status, body["code"]) == (401, "400001") and set(limits) == set(HEADERS)
    status, _, limits = await send(small, "GET", "/api/v1/orders", signed=True)
    assert (status, limits["gw-ratelimit-remaining"]) == (200, 4)


async def test_the_rest_client_sees_429000_and_the_pool_state() -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, public_quota=4, rate_window_ms=400))
    await exchange.start()
    client = RestClient(exchange.base_url)
    try:
        await client.server_time()
        await client.server_time()
        assert client.last_rate_limit is not None and client.last_rate_limit.remaining == 0
        with pytest.raises(KucoinError) as refused:
            await client.server_time()
        assert (refused.value.code, refused.value.http_status) == ("429000", 429)
        assert 0 < client.last_rate_limit.reset_ms <= 400
        await asyncio.sleep(client.last_rate_limit.reset_ms / 1000 + 0.05)
        await client.server_time()  # a new window, a full quota
        assert client.last_rate_limit.remaining == 2
    finally:
        await client.close()
        await exchange.stop()
