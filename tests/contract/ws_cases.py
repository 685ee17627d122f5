"""Every WebSocket topic the exchange serves, subscribed over real connections (one public, one
private), and something done for each so it speaks: orders that rest, fill, shrink and cancel,
stop orders that wait, fire and are cancelled, a margin-mode and a cross-leverage change, an
isolated and a cross position, a risk-limit change, and funding settlements (with a short
SimConfig.funding_interval_s the exchange's own funding clock settles while we wait). The
periodic feeds (depth5/50, candles, instrument, snapshot.24h) send on their own timers; we
wait for each, bounded.

``harvest`` returns every data frame received, grouped by (topic template, subject, kind),
where kind is the order event's ``type`` for tradeOrders and advancedOrders and "" otherwise.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from typing import Any

import aiohttp
import orjson

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from tests.contract.desk import ETH, XBT, Desk

Group = tuple[str, str, str]  # topic template, subject, event type ("" for most topics)

PUBLIC = [
    f"/contractMarket/tickerV2:{XBT}",
    f"/contractMarket/ticker:{XBT}",
    f"/contractMarket/level2:{XBT}",
    f"/contractMarket/execution:{XBT}",
    f"/contractMarket/level2Depth5:{XBT}",
    f"/contractMarket/level2Depth50:{XBT}",
    f"/contractMarket/limitCandle:{XBT}_1min",
    f"/contract/instrument:{XBT}",
    f"/contract/announcement:{XBT}",
    f"/contractMarket/snapshot:{XBT}",
]
PRIVATE = [
    "/contractMarket/tradeOrders",
    f"/contractMarket/tradeOrders:{XBT}",
    "/contractMarket/advancedOrders",
    f"/contract/position:{XBT}",
    "/contract/positionAll",
    "/contractAccount/wallet",
    "/contract/marginMode",
    "/contract/crossLeverage",
]
KINDED = ("/contractMarket/tradeOrders", "/contractMarket/advancedOrders")

# What the harvest must have seen before it stops waiting: every topic and subject it provokes.
EXPECTED: set[Group] = {
    ("/contractMarket/tickerV2:{symbol}", "tickerV2", ""),
    ("/contractMarket/ticker:{symbol}", "ticker", ""),
    ("/contractMarket/level2:{symbol}", "level2", ""),
    ("/contractMarket/execution:{symbol}", "match", ""),
    ("/contractMarket/level2Depth5:{symbol}", "level2", ""),
    ("/contractMarket/level2Depth50:{symbol}", "level2", ""),
    ("/contractMarket/limitCandle:{symbol}_{type}", "candle.stick", ""),
    ("/contract/instrument:{symbol}", "mark.index.price", ""),
    ("/contract/instrument:{symbol}", "funding.rate", ""),
    ("/contract/announcement:{symbol}", "funding.begin", ""),
    ("/contract/announcement:{symbol}", "funding.end", ""),
    ("/contractMarket/snapshot:{symbol}", "snapshot.24h", ""),
    *(
        (topic, subject, kind)
        for topic, subject in (
            ("/contractMarket/tradeOrders", "orderChange"),
            ("/contractMarket/tradeOrders:{symbol}", "symbolOrderChange"),
        )
        for kind in ("open", "match", "filled", "canceled", "update")
    ),
    *(
        ("/contractMarket/advancedOrders", "stopOrder", kind)
        for kind in ("open", "triggered", "cancel")
    ),
    ("/contract/position:{symbol}", "position.change", ""),
    ("/contract/position:{symbol}", "position.settlement", ""),
    ("/contract/position:{symbol}", "position.adjustRiskLimit", ""),
    ("/contract/positionAll", "position.change", ""),
    ("/contract/positionAll", "position.settlement", ""),
    ("/contractAccount/wallet", "walletBalance.change", ""),
    ("/contract/marginMode", "user.config", ""),
    ("/contract/crossLeverage", "user.config", ""),
}


def template(topic: str) -> str:
    """The spec's name of a concrete topic: /contract/position:XBTUSDTM ->
    /contract/position:{symbol}; candles -> ...:{symbol}_{type}."""
    prefix, sep, _ = topic.partition(":")
    if not sep:
        return prefix
    if prefix == "/contractMarket/limitCandle":
        return f"{prefix}:{{symbol}}_{{type}}"
    return f"{prefix}:{{symbol}}"


def group_of(frame: dict[str, Any]) -> Group:
    name = template(frame["topic"])
    kind = frame["data"].get("type", "") if name.partition(":")[0] in KINDED else ""
    return name, frame["subject"], kind


class Listener:
    """One WebSocket connection that keeps every data frame it receives."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: dict[Group, list[dict[str, Any]]] = defaultdict(list)
        self.acks: set[str] = set()
        self._ids = itertools.count(1)
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, bullet: dict[str, Any]) -> Listener:
        server = bullet["instanceServers"][0]
        url = f"{server['endpoint']}?token={bullet['token']}&connectId={time.time_ns()}"
        ws = await http.ws_connect(url)
        welcome = orjson.loads((await ws.receive(timeout=5)).data)
        assert welcome["type"] == "welcome", welcome
        return cls(ws)

    async def subscribe(self, topics: list[str], private: bool) -> None:
        wanted = []
        for topic in topics:
            frame_id = str(next(self._ids))
            wanted.append(frame_id)
            frame = {"id": frame_id, "type": "subscribe", "topic": topic}
            await self.ws.send_str(
                orjson.dumps({**frame, "privateChannel": private, "response": True}).decode()
            )
        await _until(lambda: all(i in self.acks for i in wanted), "subscription acks")

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            frame = orjson.loads(message.data)
            if frame.get("type") == "ack":
                self.acks.add(frame["id"])
            elif frame.get("type") == "message":
                self.frames[group_of(frame)].append(frame)

    async def close(self) -> None:
        await self.ws.close()
        await self.reader


async def _until(condition: Any, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)


async def provoke(desk: Desk) -> None:
    """Make every private and order-book topic speak at least once."""
    market = desk.sim.engine.markets[XBT]
    best_bid = market.book.best_tick("buy")
    assert best_bid is not None
    inside = desk.limit(XBT, price=market.spec.price_text(best_bid + 1))  # a new best bid
    resting = await desk.place(inside)
    await desk.place(desk.market(XBT, "buy", 3))  # long 3: match, filled, position, wallet
    await desk.delete(f"/api/v1/orders/{resting}")  # canceled
    await desk.place(desk.limit(XBT, "sell", 3, reduceOnly=True))
    await desk.place(desk.market(XBT, "sell", 1))  # long 2: the reduce-only order shrinks
    stop = await desk.place(desk.stop(XBT))  # stop open
    await desk.delete(f"/api/v1/orders/{stop}")  # stop cancel
    fires = {**desk.market(XBT, "buy", 1), "stop": "up", "stopPriceType": "TP"}
    await desk.place({**fires, "stopPrice": desk.price(XBT, "0.9")})  # due at once: triggered
    tpsl = {"stopPriceType": "MP", "triggerStopDownPrice": desk.price(XBT, "0.8")}
    await desk.post("/api/v1/st-orders", {**desk.limit(XBT, "sell", 1), **tpsl})  # open
    await desk.post("/api/v2/position/changeMarginMode", {"symbol": ETH, "marginMode": "CROSS"})
    await desk.post("/api/v2/changeCrossUserLeverage", {"symbol": ETH, "leverage": "8"})
    await desk.place(desk.market(ETH, "buy", 1))  # a cross position on positionAll
    await desk.post("/api/v1/position/risk-limit-level/change", {"symbol": XBT, "level": 1})


async def harvest() -> dict[Group, list[dict[str, Any]]]:
    """Every data frame of both connections, grouped; waits (bounded) for all of EXPECTED."""
    config = SimConfig(port=0, market=False, seed=11, funding_interval_s=0.3)
    sim = SimExchange(config)
    await sim.start()
    rest = RestClient(
        sim.base_url, Credentials(config.key, config.secret, config.passphrase, config.key_version)
    )
    http = aiohttp.ClientSession()
    listeners: list[Listener] = []
    try:
        public = await Listener.open(http, await rest.bullet_public())
        private = await Listener.open(http, await rest.bullet_private())
        listeners = [public, private]
        await public.subscribe(PUBLIC, private=False)
        await private.subscribe(PRIVATE, private=True)
        await provoke(Desk(sim, rest))

        def seen() -> set[Group]:
            return {group for listener in listeners for group in listener.frames}

        try:
            await _until(lambda: EXPECTED <= seen(), "every expected topic and subject")
        except AssertionError:
            pass  # what is missing fails that group's own test, with its name
    finally:
        for listener in listeners:
            await listener.close()
        await http.close()
        await rest.close()
        await sim.stop()
    frames: dict[Group, list[dict[str, Any]]] = defaultdict(list)
    for listener in listeners:
        for group, received in listener.frames.items():
            frames[group].extend(received)
    return dict(frames)
