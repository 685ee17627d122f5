"""A bad snapshot or a failed resync is retried with backoff, shown, and recovers (issue 10
item 8).

The client talks to the running sim through a small loopback relay that passes every request
and reply through unchanged, except that it spoils the first level2 snapshots on their way back
(a crossed book, a negative size, True as a sequence, "1_00"): the wire data a broken venue
could send. The WebSocket goes to the sim directly (the token reply names it). No part of
kcterm is replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for
from tests.sessions import kucoin_session
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(120)
SYMBOL = "XBTUSDTM"
SNAPSHOT_PATH = "/api/v1/level2/snapshot"


def spoilers() -> list[Any]:
    def crossed(data: dict) -> dict:
        best_ask = data["asks"][0][0]
        return {**data, "bids": [[best_ask, 5], *data["bids"]]}

    return [
        crossed,
        lambda data: {**data, "bids": [[data["bids"][0][0], -3], *data["bids"][1:]]},
        lambda data: {**data, "sequence": True},
        lambda data: {**data, "asks": [["1_00", 1], *data["asks"]]},
    ]


class SpoilingRelay:
    def __init__(self, target: str, spoil: list[Any]) -> None:
        self.target = target.rstrip("/")
        self.spoil = list(spoil)
        self.snapshots_served = 0
        self.spoiled = 0
        self.client: aiohttp.ClientSession | None = None
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        self.client = aiohttp.ClientSession(auto_decompress=True)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.forward)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.close()
        if self.runner is not None:
            await self.runner.cleanup()

    async def forward(self, request: web.Request) -> web.Response:
        assert self.client is not None
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        async with self.client.request(
            request.method,
            f"{self.target}{request.rel_url}",
            headers=headers,
            data=await request.read(),
        ) as reply:
            body = await reply.read()
            status = reply.status
            kind = reply.headers.get("Content-Type", "application/json")
            passed = {
                k: v for k, v in reply.headers.items() if k.lower().startswith("gw-ratelimit")
            }
        if request.path == SNAPSHOT_PATH and status == 200:
            self.snapshots_served += 1
            if self.spoil:
                envelope = orjson.loads(body)
                envelope["data"] = self.spoil.pop(0)(envelope["data"])
                body = orjson.dumps(envelope)
                self.spoiled += 1
        return web.Response(body=body, status=status, content_type=kind.split(";")[0],
                            headers=passed)  # fmt: skip


@pytest.fixture
async def sim() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=True, seed=11, tick_interval=0.05))
    await exchange.start()
    yield exchange
    await exchange.stop()


async def test_bad_snapshots_are_refused_shown_and_the_book_recovers(sim: SimExchange) -> None:
    escaped: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda _l, ctx: escaped.append(ctx))
    relay = SpoilingRelay(sim.base_url, spoilers())
    await relay.start()
    session = kucoin_session(RestClient(relay.url, credentials_for(sim)), venue="sim")
    try:
        await session.start([SYMBOL])
        book = session.market_data.books[SYMBOL]
        await wait_for(lambda: book.is_live, 30, "a live book after four spoiled snapshots")
        assert relay.spoiled == 4 and relay.snapshots_served >= 5
        assert not book.is_crossed() and book.best_bid() is not None
        assert all(size > 0 for _, size in book.bids() + book.asks())
        texts = [n.text for n in session.notices]
        assert any(f"Order book {SYMBOL}: snapshot refused" in t for t in texts), texts
        assert any(f"Order book {SYMBOL} is live again" in t for t in texts), texts
        assert SYMBOL not in session.market_data.resyncing  # the resync ended with the book live
        # The book keeps moving afterwards: the feed and the book are both alive.
        seq = book.sequence
        await wait_for(lambda: book.sequence > seq, 10, "the book to move on")
        # A failed REST snapshot (503s) is retried too and the book comes back.
        sim.drills.fail_next(3)
        sim.drills.skip_level2(SYMBOL, 1)  # a gap: the book must fetch a new snapshot
        resyncs = book.resyncs
        await wait_for(lambda: book.resyncs > resyncs, 10, "the gap to start a resync")
        await wait_for(lambda: book.is_live, 30, "the book after the 503s")
        assert escaped == []
    finally:
        await session.stop()
        await relay.stop()


async def test_a_syncing_book_without_a_resync_gets_one_from_the_next_message(
    sim: SimExchange,
) -> None:
    """Whatever ended a resync task (here: the book was reset and no task started, as when a
    task died), the next level2 message starts one: the book never waits for 50,000 more."""
    session = kucoin_session(RestClient(sim.base_url, credentials_for(sim)), venue="sim")
    try:
        await session.start([SYMBOL])
        book = session.market_data.books[SYMBOL]
        await wait_for(lambda: book.is_live, 15, "the first snapshot")
        assert SYMBOL not in session.market_data.resyncing
        book.reset()  # syncing, and nobody fetching a snapshot
        assert SYMBOL not in session.market_data.resyncing
        await wait_for(lambda: book.is_live, 10, "a resync started by the feed itself")
        assert book._buffer == [] and SYMBOL not in session.market_data.resyncing
    finally:
        await session.stop()
