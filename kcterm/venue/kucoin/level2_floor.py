"""The level-2 book benchmark's (kcterm/bench/book.py) parts that read KuCoin's wire
themselves: the recorder (bullet, WebSocket subscribe, REST snapshot), the orjson.loads floor
and the plain-dict reference books. Nothing of kcterm is used here; like wire_floor.py, it
lives in the adapter's folder because it reads KuCoin's paths and fields, and nothing but the
benchmarks imports it.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from decimal import Decimal
from typing import Any

import aiohttp
import orjson

TOP_EVERY = 333  # frames between two top-10 reads (30 fps at ~10k frames/s)
TOP_N = 10


async def record_level2(
    base_url: str, symbol: str, frames: int
) -> tuple[dict[str, Any], list[str]]:
    """`frames` level2 frames of `symbol` as a kcterm-sim at `base_url` sends them over its
    WebSocket, and the REST snapshot taken after the subscription: (snapshot data, the
    frames after it), so a replay starts from a book the frames follow on from."""

    topic = f"/contractMarket/level2:{symbol}"
    got: list[str] = []
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base_url}/api/v1/bullet-public") as reply:
            bullet = (await reply.json())["data"]
        endpoint = bullet["instanceServers"][0]["endpoint"]
        async with http.ws_connect(
            f"{endpoint}?token={bullet['token']}&connectId=recorder", max_msg_size=0
        ) as ws:
            await ws.receive()  # welcome
            await ws.send_str(
                orjson.dumps(
                    {"id": "1", "type": "subscribe", "topic": topic, "response": True}
                ).decode()
            )
            while True:  # the ack: from here on every change reaches us
                msg = await ws.receive(timeout=10)
                if orjson.loads(msg.data).get("type") == "ack":
                    break
            snapshot_task = asyncio.ensure_future(
                http.get(f"{base_url}/api/v1/level2/snapshot", params={"symbol": symbol})
            )
            while len(got) < frames or not snapshot_task.done():
                msg = await ws.receive(timeout=10)
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise RuntimeError(f"recorder: unexpected {msg.type} from the exchange")
                text = msg.data
                if '"message"' in text and topic in text:
                    got.append(text)
            async with snapshot_task.result() as reply:
                snapshot = (await reply.json())["data"]
    sequence = int(snapshot["sequence"])
    kept = [f for f in got if orjson.loads(f)["data"]["sequence"] > sequence]
    return snapshot, kept[:frames]


class ReferenceBook:
    """The plain-dict reference (kcterm/bench/book.py says what it does and skips)."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.bids: dict[str, int] = {repr(float(p)): int(s) for p, s in snapshot["bids"]}
        self.asks: dict[str, int] = {repr(float(p)): int(s) for p, s in snapshot["asks"]}

    def top(self, n: int = TOP_N) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        bids = heapq.nlargest(n, self.bids.items(), key=lambda kv: float(kv[0]))
        asks = heapq.nsmallest(n, self.asks.items(), key=lambda kv: float(kv[0]))
        return bids, asks


def run_reference(snapshot: dict[str, Any], frames: list[str]) -> tuple[float, Any]:
    book = ReferenceBook(snapshot)
    bids, asks = book.bids, book.asks
    loads = orjson.loads
    top = book.top
    every = TOP_EVERY
    start = time.thread_time()
    for i, raw in enumerate(frames):
        price, side, size = loads(raw)["data"]["change"].split(",")
        levels = bids if side == "buy" else asks
        if size == "0":
            levels.pop(price, None)
        else:
            levels[price] = int(size)
        if not i % every:
            top()
    result = top()
    return time.thread_time() - start, _decimal_top(result)


def run_reference_decimal(snapshot: dict[str, Any], frames: list[str]) -> tuple[float, Any]:
    """The same plain dicts keyed by Decimal(price): exact numbers, as a book that sorts
    by price and keeps money exact must have them (test_book_throughput's older reference)."""
    bids = {Decimal(repr(float(p))): int(s) for p, s in snapshot["bids"]}
    asks = {Decimal(repr(float(p))): int(s) for p, s in snapshot["asks"]}
    loads = orjson.loads
    every = TOP_EVERY

    def top() -> Any:
        return heapq.nlargest(TOP_N, bids.items()), heapq.nsmallest(TOP_N, asks.items())

    start = time.thread_time()
    for i, raw in enumerate(frames):
        price, side, size = loads(raw)["data"]["change"].split(",")
        levels = bids if side == "buy" else asks
        if size == "0":
            levels.pop(Decimal(price), None)
        else:
            levels[Decimal(price)] = int(size)
        if not i % every:
            top()
    result = top()
    return time.thread_time() - start, result


def run_floor(snapshot: dict[str, Any], frames: list[str]) -> tuple[float, Any]:
    loads = orjson.loads
    start = time.thread_time()
    for raw in frames:
        loads(raw)
    return time.thread_time() - start, None


def _decimal_top(top: tuple[list[tuple[Any, int]], list[tuple[Any, int]]]) -> Any:
    return tuple([(Decimal(str(p)), s) for p, s in side] for side in top)
