"""Benchmark: level2 messages per second from the embedded exchange to one client over
loopback, in its fastest market. Prints the figures; checks only that nothing was lost.

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_sim_level2_loopback.py
Aim (issue 3): 10,000 level2 messages per second or more.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson
import pytest

from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig

pytestmark = pytest.mark.perf
SECONDS = 4.0


async def _count(base_url: str, symbols: list[str]) -> tuple[int, int, float]:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base_url}/api/v1/bullet-public") as reply:
            bullet = (await reply.json())["data"]
        endpoint = bullet["instanceServers"][0]["endpoint"]
        async with http.ws_connect(
            f"{endpoint}?token={bullet['token']}&connectId=bench", max_msg_size=0
        ) as ws:
            await ws.receive()  # welcome
            topic = "/contractMarket/level2:" + ",".join(symbols)
            await ws.send_str(
                orjson.dumps(
                    {"id": "1", "type": "subscribe", "topic": topic, "response": True}
                ).decode()
            )
            last: dict[str, int] = {}
            count = gaps = 0
            start = time.perf_counter()
            while (elapsed := time.perf_counter() - start) < SECONDS:
                msg = await ws.receive(timeout=5)
                frame = orjson.loads(msg.data)
                if frame.get("type") != "message":
                    continue
                count += 1
                seq = frame["data"]["sequence"]
                prev = last.get(frame["topic"])
                if prev is not None and seq != prev + 1:
                    gaps += 1
                last[frame["topic"]] = seq
            return count, gaps, elapsed


@pytest.mark.parametrize("symbols", [["XBTUSDTM"], ["XBTUSDTM", "ETHUSDTM", "SOLUSDTM"]])
def test_level2_messages_per_second_over_loopback(symbols: list[str]) -> None:
    exchange = EmbeddedExchange(SimConfig(port=0, seed=9, tick_interval=0.0005, churn=12))
    exchange.start()
    try:
        count, gaps, elapsed = asyncio.run(_count(exchange.base_url, symbols))
    finally:
        exchange.stop()
    print(
        f"\nlevel2 over loopback, {len(symbols)} symbol(s): {count / elapsed:,.0f} msg/s "
        f"({count:,} in {elapsed:.1f} s, {gaps} gaps)"
    )
    assert count > 0 and gaps == 0
