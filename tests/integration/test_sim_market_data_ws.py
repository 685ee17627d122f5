"""The periodic public topics over a real WebSocket to a running exchange: depth snapshots,
candles, instrument, funding announcements (accelerated funding) and the 24 h snapshot, each
checked against the WS OpenAPI schema; candles follow the trades at most once a second."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.spec import SPEC_DIR
from tests.integration.test_sim_market_data_rest import problems

WS_SPEC = SPEC_DIR / "ws"  # the official OpenAPI JSON, in the repository (kcterm/spec)
SCHEMAS = {  # subject -> the component describing its frames
    "level2": "Futures_futures_public_orderbookLevel5",
    "candle.stick": "Futures_futures_public_klines",
    "mark.index.price": "Futures_futures_public_instrument",
    "funding.rate": "Futures_futures_public_instrument",
    "funding.begin": "Futures_futures_public_fundingFeeSettlement",
    "funding.end": "Futures_futures_public_fundingFeeSettlement",
    "snapshot.24h": "Futures_futures_public_symbolSnapshot",
}
XBT = "XBTUSDTM"
TOPICS = [
    f"/contractMarket/level2Depth5:{XBT}",
    f"/contractMarket/level2Depth50:{XBT}",
    f"/contractMarket/limitCandle:{XBT}_1min",
    f"/contract/instrument:{XBT}",
    f"/contract/announcement:{XBT}",
    f"/contractMarket/snapshot:{XBT}",
]


@pytest.fixture
async def exchange() -> AsyncIterator[SimExchange]:
    sim = SimExchange(SimConfig(port=0, market=False, seed=11, funding_interval_s=0.4))
    await sim.start()
    yield sim
    await sim.stop()


async def subscribe(
    http: aiohttp.ClientSession, sim: SimExchange
) -> aiohttp.ClientWebSocketResponse:
    async with http.post(f"{sim.base_url}/api/v1/bullet-public") as reply:
        bullet = orjson.loads(await reply.read())["data"]
    server = bullet["instanceServers"][0]
    ws = await http.ws_connect(f"{server['endpoint']}?token={bullet['token']}&connectId=md-1")
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    for i, topic in enumerate(TOPICS):
        await ws.send_json({"id": str(i), "type": "subscribe", "topic": topic, "response": True})
    return ws


async def frames_until(
    ws: aiohttp.ClientWebSocketResponse, done: Any, timeout: float = 5.0
) -> list[dict[str, Any]]:
    """Data frames until ``done(frames)`` holds (bounded)."""
    frames: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not done(frames):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; subjects seen: {sorted({f['subject'] for f in frames})}"
        frame = await ws.receive_json(timeout=left)
        if frame.get("type") == "message":
            frames.append(frame)
        else:
            assert frame["type"] == "ack", frame
    return frames


def schema(subject: str) -> dict[str, Any]:
    spec = json.loads((WS_SPEC / "openapi-futures-public.json").read_text())
    return spec["components"]["schemas"][SCHEMAS[subject]]["properties"]["data"]


async def test_every_periodic_topic_arrives_with_the_documented_shape(
    exchange: SimExchange,
) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await subscribe(http, exchange)
        frames = await frames_until(
            ws,
            lambda fs: (
                set(SCHEMAS) <= {f["subject"] for f in fs}
                and any(f["data"].get("granularity") == 400 for f in fs)
            ),  # a settled funding.rate
        )
        await ws.close()
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for frame in frames:
        by_subject.setdefault(frame["subject"], []).append(frame)
        assert frame["topic"] in TOPICS
        assert problems(frame["data"], schema(frame["subject"])) == [], frame
    depths = {f["topic"]: f["data"] for f in by_subject["level2"]}
    levels = len(exchange.engine.markets[XBT].book.depth("buy", 50))  # the provider quotes 30
    assert len(depths[TOPICS[0]]["bids"]) == 5 and len(depths[TOPICS[1]]["bids"]) == levels > 5
    price, size = depths[TOPICS[0]]["asks"][0]
    assert isinstance(price, str) and isinstance(size, int)
    assert depths[TOPICS[0]]["timestamp"] < 10**13  # ms, as in the current examples
    candle = by_subject["candle.stick"][0]["data"]
    assert len(candle["candles"]) == 7 and all(isinstance(x, str) for x in candle["candles"])
    assert int(candle["candles"][0]) < 10**10  # seconds
    mark = by_subject["mark.index.price"][0]["data"]
    assert mark["granularity"] == 1000 and mark["timestamp"] % 1000 == 0
    begin, end = by_subject["funding.begin"][0]["data"], by_subject["funding.end"][0]["data"]
    assert begin["symbol"] == XBT and begin["fundingTime"] == end["fundingTime"]
    assert begin["fundingRate"] == end["fundingRate"]
    settled = [f["data"] for f in by_subject["funding.rate"] if f["data"]["granularity"] == 400]
    assert settled and settled[0]["fundingRate"] == begin["fundingRate"]
    snapshot = by_subject["snapshot.24h"][0]["data"]
    assert snapshot["symbol"] == XBT and snapshot["ts"] > 10**18


async def test_candles_and_depth_follow_the_trades(exchange: SimExchange) -> None:
    candle_topic = TOPICS[2]
    market = exchange.engine.markets[XBT]
    async with aiohttp.ClientSession() as http:
        ws = await subscribe(http, exchange)
        await frames_until(ws, lambda fs: any(f["topic"] == candle_topic for f in fs))
        # The trades and their candle within one minute: a minute that starts meanwhile
        # opens a candle at the last price with no lots, which the candle topic sends too
        # (it failed once on CI, the new minute's empty candle taken for the traded one).
        into_minute = time.time() % 60
        if into_minute > 54:
            await asyncio.sleep(60.2 - into_minute)
        await exchange.step_market(40)
        last = market.spec.price_text(market.last_tick)

        def traded(frame: dict[str, Any]) -> bool:
            if frame["topic"] != candle_topic:
                return False
            bar = frame["data"]["candles"]
            return bool(bar[2] == last and int(bar[5]) > 0)

        frames = await frames_until(  # the candle closing at the last trade, the final book
            ws,
            lambda fs: (
                any(traded(f) for f in fs)
                and any(
                    f["topic"] == TOPICS[0] and f["data"]["sequence"] == market.sequence for f in fs
                )
            ),
        )
        await ws.close()
    candles = [f["data"] for f in frames if f["topic"] == candle_topic]
    latest = next(f["data"]["candles"] for f in reversed(frames) if traded(f))
    assert float(latest[3]) >= float(latest[2]) >= float(latest[4])  # high >= close >= low
    assert int(latest[5]) > 0  # the trades' lots
    times = [c["time"] for c in candles]
    assert all(b - a >= 1000 for a, b in itertools.pairwise(times))
    depth = [f["data"] for f in frames if f["topic"] == TOPICS[0]][-1]
    assert depth["bids"] == [[market.spec.price_text(t), s] for t, s in market.book.depth("buy", 5)]
