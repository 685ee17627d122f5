"""The embedded exchange on the wire, spoken to with a plain aiohttp client as any third-party
program would: KuCoin's envelope and error codes, WebSocket handshake, topics and heartbeats."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.sim.config import READ_ONLY_KEY
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials, auth_headers
from tests.integration.conftest import credentials_for


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with http.request(method, url, **kwargs) as reply:
        return reply.status, orjson.loads(await reply.read())


async def test_unknown_url_wrong_type_and_bad_json_get_kucoin_codes(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, "GET", f"{sim.base_url}/api/v1/nothing-here")
    assert (status, body["code"]) == (404, "404000")
    creds = credentials_for(sim)
    raw = b'{"clientOid": "a",'
    headers = auth_headers(creds, "POST", "/api/v1/orders", raw.decode(), int(time.time() * 1000))
    status, body = await call(
        http, "POST", f"{sim.base_url}/api/v1/orders", data=raw, headers=headers
    )
    assert (status, body["code"]) == (400, "400100") and "JSON" in body["msg"]
    headers["Content-Type"] = "text/plain"
    status, body = await call(
        http, "POST", f"{sim.base_url}/api/v1/orders", data=raw, headers=headers
    )
    assert (status, body["code"]) == (415, "415000")


async def test_private_calls_without_headers_or_with_an_old_timestamp(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, "GET", f"{sim.base_url}/api/v1/orders?status=active")
    assert (status, body["code"]) == (401, "400001")
    stale = int(time.time() * 1000) - 6000
    headers = auth_headers(credentials_for(sim), "GET", "/api/v1/orders?status=active", "", stale)
    status, body = await call(
        http, "GET", f"{sim.base_url}/api/v1/orders?status=active", headers=headers
    )
    assert (status, body["code"]) == (401, "400002")


async def test_public_replies_have_the_documented_types(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    _, ticker = await call(http, "GET", f"{sim.base_url}/api/v1/ticker?symbol=ETHUSDTM")
    data = ticker["data"]
    assert ticker["code"] == "200000"
    assert isinstance(data["price"], str) and isinstance(data["bestBidSize"], int)
    assert data["ts"] > 10**18  # nanoseconds
    _, contracts = await call(http, "GET", f"{sim.base_url}/api/v1/contracts/active")
    symbols = {c["symbol"] for c in contracts["data"]}
    assert {"XBTUSDTM", "ETHUSDTM", "SOLUSDTM"} <= symbols
    xbt = next(c for c in contracts["data"] if c["symbol"] == "XBTUSDTM")
    assert xbt["tickSize"] == 0.1 and xbt["multiplier"] == 0.001 and xbt["lotSize"] == 1
    assert xbt["sellLimit"] < xbt["markPrice"] < xbt["buyLimit"]
    _, book = await call(http, "GET", f"{sim.base_url}/api/v1/level2/depth20?symbol=XBTUSDTM")
    assert len(book["data"]["bids"]) == 20 and isinstance(book["data"]["bids"][0][0], float)


async def connect(
    http: aiohttp.ClientSession, sim: SimExchange, path: str = "bullet-public", signed: bool = False
) -> tuple[aiohttp.ClientWebSocketResponse, dict]:
    headers = {}
    if signed:
        headers = auth_headers(
            credentials_for(sim), "POST", f"/api/v1/{path}", "", int(time.time() * 1000)
        )
    _, bullet = await call(http, "POST", f"{sim.base_url}/api/v1/{path}", headers=headers)
    server = bullet["data"]["instanceServers"][0]
    ws = await http.ws_connect(
        f"{server['endpoint']}?token={bullet['data']['token']}&connectId=c-1"
    )
    welcome = await ws.receive_json(timeout=5)
    assert welcome == {"id": "c-1", "type": "welcome"}
    return ws, server


async def test_ping_pong_ack_and_error_frames(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws, server = await connect(http, sim)
    assert server["pingInterval"] == 18000 and server["pingTimeout"] == 10000
    await ws.send_json({"id": "p1", "type": "ping"})
    assert (await ws.receive_json(timeout=5))["id"] == "p1"
    await ws.send_json(
        {
            "id": 7,
            "type": "subscribe",
            "topic": "/contractMarket/level2:XBTUSDTM",
            "privateChannel": False,
            "response": True,
        }
    )
    assert await ws.receive_json(timeout=5) == {"id": "7", "type": "ack"}
    await ws.send_json(
        {"id": "8", "type": "subscribe", "topic": "/futuresTrade/orders", "response": True}
    )
    error = await ws.receive_json(timeout=5)
    assert (error["type"], error["code"], error["id"]) == ("error", 404, "8")
    await ws.send_json(
        {
            "id": "9",
            "type": "subscribe",
            "topic": "/contractMarket/tradeOrders",
            "privateChannel": True,
            "response": True,
        }
    )
    assert (await ws.receive_json(timeout=5))["code"] == 401  # public connection
    await ws.send_str("not json")
    assert (await ws.receive_json(timeout=5))["type"] == "error"
    await ws.close()


async def test_level2_messages_continue_the_snapshot_sequence(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws, _ = await connect(http, sim)
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "response": True,
            "topic": "/contractMarket/level2:XBTUSDTM,ETHUSDTM",
        }
    )
    assert (await ws.receive_json(timeout=5))["type"] == "ack"
    start = sim.book("XBTUSDTM")["sequence"]
    await sim.step_market(5)
    end = sim.book("XBTUSDTM")["sequence"]
    seen: list[int] = []
    while not seen or seen[-1] < end:
        frame = await ws.receive_json(timeout=5)
        if frame["topic"] == "/contractMarket/level2:XBTUSDTM":
            assert frame["subject"] == "level2" and frame["sn"] == frame["data"]["sequence"]
            _price, side, size = frame["data"]["change"].split(",")
            assert side in ("buy", "sell") and int(size) >= 0
            seen.append(frame["data"]["sequence"])
    assert seen == list(range(start + 1, end + 1))
    await ws.close()


async def test_a_bad_token_is_refused() -> None:
    exchange = SimExchange(SimConfig(port=0, market=False))
    await exchange.start()
    try:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(f"{exchange.ws_url}?token=forged&connectId=x")
            frame = await ws.receive_json(timeout=5)
            assert frame["type"] == "error" and frame["code"] == 401
            assert (await ws.receive(timeout=5)).type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
            )
    finally:
        await exchange.stop()


async def test_a_client_that_stops_pinging_is_dropped() -> None:
    exchange = SimExchange(
        SimConfig(port=0, market=False, ping_interval_ms=200, ping_timeout_ms=200)
    )
    await exchange.start()
    try:
        async with aiohttp.ClientSession() as http:
            ws, server = await connect(http, exchange)
            assert server["pingInterval"] == 200
            started = time.monotonic()
            message = await ws.receive(timeout=5)
            while message.type == aiohttp.WSMsgType.TEXT:
                message = await ws.receive(timeout=5)
            assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert 0.35 < time.monotonic() - started < 3
    finally:
        await exchange.stop()


async def test_the_private_order_feed_reaches_only_its_owner(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    ws, _ = await connect(http, sim, "bullet-private", signed=True)
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "topic": "/contractMarket/tradeOrders",
            "privateChannel": True,
            "response": True,
        }
    )
    assert (await ws.receive_json(timeout=5))["type"] == "ack"
    body = orjson.dumps(
        {
            "clientOid": "wire-1",
            "symbol": "XBTUSDTM",
            "side": "buy",
            "type": "limit",
            "price": "80000.0",
            "size": 2,
            "leverage": 3,
        }
    )
    headers = auth_headers(
        credentials_for(sim), "POST", "/api/v1/orders", body.decode(), int(time.time() * 1000)
    )
    _, placed = await call(
        http, "POST", f"{sim.base_url}/api/v1/orders", data=body, headers=headers
    )
    frame = await asyncio.wait_for(ws.receive_json(), 5)
    assert frame["subject"] == "orderChange" and frame["channelType"] == "private"
    assert frame["data"]["orderId"] == placed["data"]["orderId"]
    assert (frame["data"]["type"], frame["data"]["price"], frame["data"]["size"]) == (
        "open",
        "80000.0",
        "2",
    )
    await ws.close()


async def test_a_read_only_key_reads_but_may_not_trade(sim: SimExchange) -> None:
    cfg = sim.config
    reader = RestClient(sim.base_url, Credentials(READ_ONLY_KEY, cfg.secret, cfg.passphrase))
    try:
        assert await reader.active_orders() == []
        assert (await reader.bullet_private())["token"]
        with pytest.raises(KucoinError) as info:
            await reader.place_order(
                {
                    "clientOid": "ro-1",
                    "symbol": "XBTUSDTM",
                    "side": "buy",
                    "type": "limit",
                    "price": "80000.0",
                    "size": 1,
                }
            )
        assert (info.value.code, info.value.http_status) == ("400007", 403)
    finally:
        await reader.close()


async def test_a_whitelisted_key_is_refused_from_elsewhere() -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, ip_whitelist=("10.9.9.9",)))
    await exchange.start()
    try:
        status, body = await _signed_get(exchange, "/api/v1/orders?status=active")
        assert (status, body["code"]) == (403, "400006")
    finally:
        await exchange.stop()


async def _signed_get(exchange: SimExchange, path: str) -> tuple[int, dict[str, Any]]:
    headers = auth_headers(credentials_for(exchange), "GET", path, "", int(time.time() * 1000))
    async with aiohttp.ClientSession() as http:
        return await call(http, "GET", f"{exchange.base_url}{path}", headers=headers)
