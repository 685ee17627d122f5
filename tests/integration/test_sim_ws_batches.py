"""The hub writes a burst of frames (a market step's, published together) under one TCP cork,
so they leave in as few segments as fit: in the fast-market bench the app got about 12 frames
a socket read before and about 75 after (issue 14). The frames
arrive all and in order, and a lone frame is not held."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import orjson
import pytest

from kcterm.sim import SimExchange
from tests.waiting import wait_for

LEVEL2 = "/contractMarket/level2:XBTUSDTM"
CAN_CORK = hasattr(socket, "TCP_CORK")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def subscribed(
    http: aiohttp.ClientSession, sim: SimExchange
) -> aiohttp.ClientWebSocketResponse:
    async with http.post(f"{sim.base_url}/api/v1/bullet-public") as reply:
        bullet = orjson.loads(await reply.read())["data"]
    url = f"{bullet['instanceServers'][0]['endpoint']}?token={bullet['token']}&connectId=t"
    ws = await http.ws_connect(url)
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    await ws.send_json({"id": "s", "type": "subscribe", "topic": LEVEL2, "response": True})
    assert (await ws.receive_json(timeout=5))["type"] == "ack"
    return ws


def change(sequence: int) -> dict[str, object]:
    return {"sequence": sequence, "change": f"{90000 + sequence}.0,sell,{sequence}", "timestamp": 1}


async def test_a_burst_leaves_under_one_cork_and_arrives_whole_and_in_order(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws = await subscribed(http, sim)
    (conn,) = sim.hub.connections
    before = conn.corked_batches
    for sequence in range(1, 201):  # one step's frames, published in one go
        sim.hub.publish(LEVEL2, "level2", change(sequence))
    got = [(await ws.receive_json(timeout=5))["data"]["sequence"] for _ in range(200)]
    assert got == list(range(1, 201))
    if CAN_CORK:
        # The writer woke to the first and found the rest queued: one batch, one cork.
        assert conn.corked_batches == before + 1
    else:
        print(f"no TCP_CORK on {socket.__name__} here: frames went out one by one")
    sim.hub.publish(LEVEL2, "level2", change(201))  # a lone frame: sent as it is, uncorked
    assert (await ws.receive_json(timeout=5))["data"]["sequence"] == 201
    assert conn.corked_batches == before + (1 if CAN_CORK else 0)
    await ws.close()
    await wait_for(lambda: not sim.hub.connections, 5, "the connection forgotten")
