"""The WebSocket hub under abuse: malformed frames get error frames and the connection lives on,
a client over the inbound limit (spec/REFERENCE.md 6.4) is told and cut off, and a peer that
vanishes mid-feed takes nobody else down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import orjson
import pytest
from websockets.asyncio.client import connect

from kcterm.sim import SimConfig, SimExchange
from tests.waiting import wait_for

LEVEL2 = "/contractMarket/level2:XBTUSDTM"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def ws_url(http: aiohttp.ClientSession, sim: SimExchange) -> str:
    async with http.post(f"{sim.base_url}/api/v1/bullet-public") as reply:
        bullet = orjson.loads(await reply.read())["data"]
    return f"{bullet['instanceServers'][0]['endpoint']}?token={bullet['token']}&connectId=t"


async def open_ws(http: aiohttp.ClientSession, sim: SimExchange) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(await ws_url(http, sim))
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    return ws


async def test_malformed_frames_get_error_frames_and_the_connection_lives_on(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws = await open_ws(http, sim)
    junk = [
        "not json",
        "[1, 2, 3]",
        '"just a string"',
        '{"type": 5, "id": {"nested": [1]}}',
        '{"type": "subscribe", "topic": 123, "id": "t1"}',
        '{"type": "subscribe", "topic": "' + "x" * 20_000 + '", "id": "t2"}',
        '{"type": "unsubscribe", "topic": null}',
        '{"type": "' + "y" * 5_000 + '"}',
    ]
    for text in junk:
        await ws.send_str(text)
        frame = await ws.receive_json(timeout=5)
        assert frame["type"] == "error" and isinstance(frame["code"], int), text[:40]
        assert len(frame["data"]) < 400  # echoes stay bounded
    await ws.send_bytes(b"\x00\x01binary")
    assert (await ws.receive_json(timeout=5))["code"] == 400
    # An id no JSON number can hold is echoed back without breaking the reply.
    await ws.send_str('{"id": 123456789012345678901234567890, "type": "ping"}')
    assert (await ws.receive_json(timeout=5))["type"] == "pong"
    await ws.send_json({"id": "alive", "type": "ping"})
    assert (await ws.receive_json(timeout=5))["id"] == "alive"
    await ws.close()


async def test_a_client_over_the_inbound_limit_is_told_and_cut_off(
    http: aiohttp.ClientSession,
) -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, ws_inbound_limit=5))
    await exchange.start()
    try:
        ws = await open_ws(http, exchange)
        for n in range(6):
            await ws.send_json({"id": str(n), "type": "ping"})
        frames = [await ws.receive_json(timeout=5) for _ in range(6)]
        assert [f["type"] for f in frames] == ["pong"] * 5 + ["error"]
        assert frames[-1]["code"] == 509 and "at most 5" in frames[-1]["data"]
        closing = await ws.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await wait_for(lambda: not exchange.hub.connections, what="connection forgotten")
    finally:
        await exchange.stop()


async def test_a_peer_that_vanishes_mid_feed_takes_nobody_else_down(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    gone = await connect(await ws_url(http, sim), ping_interval=None)
    assert orjson.loads(await gone.recv())["type"] == "welcome"
    await gone.send(orjson.dumps({"id": "1", "type": "subscribe", "topic": LEVEL2}).decode())
    await wait_for(lambda: sim.hub.wants(LEVEL2), what="subscription")
    gone.transport.abort()  # no close frame: the server finds out when a send fails
    await sim.step_market(5)
    await wait_for(lambda: len(sim.hub.connections) == 0, what="the dead peer forgotten")
    ws = await open_ws(http, sim)
    await ws.send_json({"id": "s", "type": "subscribe", "topic": LEVEL2, "response": True})
    assert (await ws.receive_json(timeout=5))["type"] == "ack"
    start = sim.book("XBTUSDTM")["sequence"]
    await sim.step_market(5)
    frame = await ws.receive_json(timeout=5)
    assert frame["data"]["sequence"] == start + 1
    await ws.close()


async def test_an_oversized_frame_closes_only_that_connection(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    big = await open_ws(http, sim)
    await big.send_str('{"type": "ping", "pad": "' + "z" * 70_000 + '"}')
    told = await big.receive(timeout=5)  # KuCoin's error frame says why, then the close
    assert told.type == aiohttp.WSMsgType.TEXT
    error = orjson.loads(told.data)
    assert error["type"] == "error" and "65536" in error["data"]
    closing = await big.receive(timeout=5)
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert big.close_code == 1009
    fine = await open_ws(http, sim)
    await fine.send_json({"id": "ok", "type": "ping"})
    assert (await asyncio.wait_for(fine.receive_json(), 5))["id"] == "ok"
    await fine.close()
