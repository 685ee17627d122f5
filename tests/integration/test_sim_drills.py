"""Every fault drill, switched over the sim's signed admin endpoint and observed over loopback
the way a client would live through it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.sim.cli import parse_args
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import auth_headers
from kcterm.venue.kucoin.stream import WsStream
from tests.integration.conftest import credentials_for
from tests.waiting import wait_for

DRILLS = "/sim/admin/drills"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def send(
    http: aiohttp.ClientSession,
    sim: SimExchange,
    method: str,
    path: str,
    body: Any = None,
    *,
    signed: bool = True,
) -> tuple[int, dict[str, Any], aiohttp.typedefs.LooseHeaders]:
    raw = orjson.dumps(body) if body is not None else b""
    headers = {"Content-Type": "application/json"}
    if signed:
        now = int(time.time() * 1000)
        headers.update(auth_headers(credentials_for(sim), method, path, raw.decode(), now))
    async with http.request(method, f"{sim.base_url}{path}", data=raw, headers=headers) as reply:
        return reply.status, orjson.loads(await reply.read()), reply.headers


async def drill(http: aiohttp.ClientSession, sim: SimExchange, **fields: Any) -> dict[str, Any]:
    status, body, _ = await send(http, sim, "POST", DRILLS, fields)
    assert (status, body["code"]) == (200, "200000"), body
    return body["data"]


async def subscribed_ws(
    http: aiohttp.ClientSession, sim: SimExchange, topic: str | None = None
) -> aiohttp.ClientWebSocketResponse:
    _, bullet, _ = await send(http, sim, "POST", "/api/v1/bullet-public", signed=False)
    server = bullet["data"]["instanceServers"][0]
    ws = await http.ws_connect(f"{server['endpoint']}?token={bullet['data']['token']}")
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    if topic is not None:
        await ws.send_json({"id": "s", "type": "subscribe", "topic": topic, "response": True})
        assert (await ws.receive_json(timeout=5))["type"] == "ack"
    return ws


async def test_the_admin_endpoint_needs_the_demo_keys_signature(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    status, body, _ = await send(http, sim, "POST", DRILLS, {"failNext": 5}, signed=False)
    assert (status, body["code"]) == (401, "400001")
    assert sim.faults.fail_next == 0
    status, body, headers = await send(http, sim, "GET", DRILLS)
    assert (status, body["code"]) == (200, "200000")
    assert body["data"]["counters"] == {
        "connectionsDropped": 0,
        "http503Sent": 0,
        "http429Sent": 0,
        "sequencesSkipped": 0,
        "pingsUnanswered": 0,
    }
    assert "gw-ratelimit-limit" not in headers  # the sim's own route draws from no pool
    status, body, _ = await send(http, sim, "POST", DRILLS, {"bogus": 1})
    assert (status, body["code"]) == (400, "400100") and "bogus" in body["msg"]


async def test_without_admin_there_is_no_such_route(http: aiohttp.ClientSession) -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, admin=False))
    await exchange.start()
    try:
        status, body, _ = await send(http, exchange, "GET", DRILLS)
        assert (status, body["code"]) == (404, "404000")
    finally:
        await exchange.stop()


async def test_dropped_connections_are_won_back_by_the_client_stream(
    sim: SimExchange, rest: RestClient, http: aiohttp.ClientSession
) -> None:
    connects = {"public": 0, "private": 0}

    def counter(name: str) -> Any:
        return lambda: connects.__setitem__(name, connects[name] + 1)

    public = WsStream(rest.bullet_public, backoff_base=0.05, on_connected=counter("public"))
    private = WsStream(
        rest.bullet_private,
        private=True,
        name="private",
        backoff_base=0.05,
        on_connected=counter("private"),
    )
    public.subscribe("/contractMarket/tickerV2:XBTUSDTM", lambda frame: None)
    runners = [asyncio.ensure_future(s.run()) for s in (public, private)]
    try:
        await wait_for(lambda: connects == {"public": 1, "private": 1}, what="both connected")
        state = await drill(http, sim, dropConnections="private")
        assert state["counters"]["connectionsDropped"] == 1
        await wait_for(lambda: connects["private"] == 2, what="private reconnect")
        state = await drill(http, sim, dropConnections="all")
        assert state["counters"]["connectionsDropped"] == 3
        await wait_for(lambda: connects == {"public": 2, "private": 3}, what="both reconnect")
        await wait_for(lambda: public.state == "connected" and private.state == "connected")
    finally:
        for stream in (public, private):
            await stream.close()
        await asyncio.gather(*runners)


async def test_a_skipped_level2_message_is_a_gap_the_snapshot_does_not_have(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws = await subscribed_ws(http, sim, "/contractMarket/level2:XBTUSDTM")
    start = sim.book("XBTUSDTM")["sequence"]
    state = await drill(http, sim, skipLevel2={"symbol": "XBTUSDTM", "count": 1})
    assert state["level2Skips"] == {"XBTUSDTM": 1}
    await sim.step_market(5)
    _, snapshot, _ = await send(
        http, sim, "GET", "/api/v1/level2/snapshot?symbol=XBTUSDTM", signed=False
    )
    end = snapshot["data"]["sequence"]
    assert end >= start + 2
    seen: list[int] = []
    while not seen or seen[-1] < end:
        seen.append((await ws.receive_json(timeout=5))["data"]["sequence"])
    missing = sorted(set(range(start + 1, end + 1)) - set(seen))
    assert missing == [start + 1]  # the very next message was lost, and only it
    _, state, _ = await send(http, sim, "GET", DRILLS)
    assert state["data"]["counters"]["sequencesSkipped"] == 1
    assert state["data"]["level2Skips"] == {}
    await ws.close()


async def test_503_answers_serve_nothing(
    sim: SimExchange, rest: RestClient, http: aiohttp.ClientSession
) -> None:
    await drill(http, sim, failNext=2)
    order = {"clientOid": "drill-503", "symbol": "XBTUSDTM", "side": "buy", "type": "limit"}
    order |= {"price": "80000", "size": 1, "leverage": 3}
    with pytest.raises(KucoinError) as failed:
        await rest.place_order(order)
    assert (failed.value.code, failed.value.http_status) == ("503000", 503)
    status, body, _ = await send(http, sim, "GET", "/api/v1/timestamp", signed=False)
    assert (status, body["code"]) == (503, "503000")
    assert await rest.order_by_client_oid("drill-503") is None  # the order never reached us
    _, state, _ = await send(http, sim, "GET", DRILLS)
    assert state["data"]["counters"]["http503Sent"] == 2 and state["data"]["failNext"] == 0


async def test_rest_drills_leave_the_websocket_endpoint_alone(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    _, bullet, _ = await send(http, sim, "POST", "/api/v1/bullet-public", signed=False)
    await drill(http, sim, failNext=1)
    ws = await http.ws_connect(f"{sim.ws_url}?token={bullet['data']['token']}")
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    assert sim.faults.fail_next == 1  # still waiting for a REST request
    await ws.close()


async def test_delayed_replies_arrive_late(sim: SimExchange, rest: RestClient) -> None:
    sim.drills.delay_replies(300)
    started = time.monotonic()
    await rest.server_time()
    assert time.monotonic() - started >= 0.3
    sim.drills.clear()


async def test_an_exhausted_pool_refuses_until_its_window_ends(
    sim: SimExchange, rest: RestClient, http: aiohttp.ClientSession
) -> None:
    await drill(http, sim, exhaustPool="Futures")
    with pytest.raises(KucoinError) as refused:
        await rest.active_orders()
    assert (refused.value.code, refused.value.http_status) == ("429000", 429)
    limit = rest.last_rate_limit
    assert limit is not None and limit.remaining == 0 and 25_000 < limit.reset_ms <= 30_000
    assert await rest.server_time() > 0  # the Public pool is untouched
    status, body, _ = await send(http, sim, "GET", DRILLS)  # and the switch still answers
    assert status == 200 and set(body["data"]["exhaustedPools"]) == {"Futures"}
    await drill(http, sim, clear=True)
    assert await rest.active_orders() == []


async def test_a_skewed_clock_refuses_clients_that_do_not_resync(
    sim: SimExchange, rest: RestClient, http: aiohttp.ClientSession
) -> None:
    await drill(http, sim, clockSkewMs=10_000)
    with pytest.raises(KucoinError) as stale:
        await rest.active_orders()
    assert (stale.value.code, stale.value.http_status) == ("400002", 401)
    assert await rest.server_time() - int(time.time() * 1000) > 9_000
    offset = await rest.sync_clock()
    assert 9_000 < offset < 11_000
    assert await rest.active_orders() == []  # resynced, the client is accepted again
    # The admin switch checks signatures against the true time, so it still answers.
    assert (await drill(http, sim, clear=True))["clockSkewMs"] == 0


async def test_pings_go_unanswered_while_the_drill_lasts(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws = await subscribed_ws(http, sim)
    await ws.send_json({"id": "p1", "type": "ping"})
    assert (await ws.receive_json(timeout=5))["type"] == "pong"
    await drill(http, sim, stopPongsSeconds=60)
    await ws.send_json({"id": "p2", "type": "ping"})
    with pytest.raises(asyncio.TimeoutError):
        await ws.receive_json(timeout=0.3)
    state = await drill(http, sim, stopPongsSeconds=0)
    assert state["counters"]["pingsUnanswered"] == 1 and state["pongsStoppedMs"] == 0
    await ws.send_json({"id": "p3", "type": "ping"})
    assert (await ws.receive_json(timeout=5))["id"] == "p3"
    await ws.close()


def test_drills_set_on_the_command_line_are_on_from_the_start() -> None:
    args = parse_args(["--delay-ms", "40", "--fail-rate", "0.25", "--clock-skew-ms", "-3000"])
    assert (args.delay_ms, args.fail_rate, args.clock_skew_ms, args.admin) == (
        40,
        0.25,
        -3000,
        True,
    )
    assert parse_args(["--no-admin", "--rate-limit", "50"]).rate_limit == 50
    with pytest.raises(SystemExit):
        parse_args(["--fail-rate", "2"])
    exchange = SimExchange(SimConfig(delay_ms=40, fail_rate=0.25, clock_skew_ms=-3000))
    state = exchange.drills.state()
    assert (state["delayMs"], state["failRate"], state["clockSkewMs"]) == (40, 0.25, -3000)
