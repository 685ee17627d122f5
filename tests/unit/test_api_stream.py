"""WsStream against a tiny aiohttp WebSocket server defined here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from kcterm.venue.kucoin.stream import StreamState, WsStream


async def wait_until(condition: Callable[[], object], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class FakeFeed:
    """welcome, ack per subscription, one data frame per subscribed symbol, pong per ping."""

    def __init__(self) -> None:
        self.connections = 0
        self.tokens: list[str] = []
        self.subscribes: list[tuple[int, str, Any]] = []
        self.close_first = True  # drop connection 1 right after its first data frames
        self.silent = False  # never answer anything after the welcome (dead link)
        self.welcome = True

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        conn = self.connections
        self.tokens.append(request.query["token"])
        if self.welcome:
            await ws.send_str(
                orjson.dumps({"id": request.query["connectId"], "type": "welcome"}).decode()
            )
        async for msg in ws:
            if msg.type != WSMsgType.TEXT or self.silent:
                continue
            frame = orjson.loads(msg.data)
            if frame["type"] == "ping":
                await ws.send_str(orjson.dumps({"id": frame["id"], "type": "pong"}).decode())
            elif frame["type"] == "subscribe":
                topic = frame["topic"]
                self.subscribes.append((conn, topic, frame["privateChannel"]))
                if topic == "/bad":
                    err = {"id": frame["id"], "type": "error", "code": 404, "data": "not found"}
                    await ws.send_str(orjson.dumps(err).decode())
                    continue
                await ws.send_str(orjson.dumps({"id": frame["id"], "type": "ack"}).decode())
                await ws.send_str("{not json")  # a malformed frame must not kill the stream
                prefix, _, symbols = topic.partition(":")
                for symbol in symbols.split(","):
                    data = {"type": "message", "topic": f"{prefix}:{symbol}", "subject": "x",
                            "data": {"conn": conn}}  # fmt: skip
                    await ws.send_bytes(orjson.dumps(data))
                if conn == 1 and self.close_first:
                    await ws.close()
        return ws


@pytest.fixture
async def feed() -> AsyncIterator[tuple[FakeFeed, Callable[[], Any]]]:
    fake = FakeFeed()
    app = web.Application()
    app.router.add_get("/ws", fake.handle)
    server = TestServer(app)
    await server.start_server()
    endpoint = str(server.make_url("/ws")).replace("http://", "ws://")
    calls = 0

    async def token_source() -> dict:
        nonlocal calls
        calls += 1
        server_entry = {"endpoint": endpoint, "pingInterval": 100, "pingTimeout": 150}
        return {"token": f"tok{calls}", "instanceServers": [server_entry]}

    try:
        yield fake, token_source
    finally:
        await server.close()


async def test_subscribe_dispatch_ping_and_resubscribe_after_close(
    feed: tuple[FakeFeed, Callable[[], Any]],
) -> None:
    fake, token_source = feed
    frames: list[dict] = []
    states: list[tuple[StreamState, str]] = []
    connected = 0

    async def on_connected() -> None:
        nonlocal connected
        connected += 1

    stream = WsStream(
        token_source, private=True, name="private", on_state=lambda s, d: states.append((s, d)),
        on_connected=on_connected, backoff_base=0.01, backoff_cap=0.05,
    )  # fmt: skip
    stream.subscribe("/t/tickerV2:A,B", frames.append)
    task = asyncio.create_task(stream.run())
    try:
        # Connection 1: both expanded topics reach the handler, then the server hangs up.
        await wait_until(lambda: any(f["data"]["conn"] == 2 for f in frames))
        topics_1 = sorted(f["topic"] for f in frames if f["data"]["conn"] == 1)
        assert topics_1 == ["/t/tickerV2:A", "/t/tickerV2:B"]
        # Reconnected with a fresh token and the same subscription, private channel flag set.
        assert fake.tokens[:2] == ["tok1", "tok2"]
        assert [s for s in fake.subscribes if s[1] == "/t/tickerV2:A,B"] == [
            (1, "/t/tickerV2:A,B", True), (2, "/t/tickerV2:A,B", True)]  # fmt: skip
        await wait_until(lambda: connected == 2 and stream.state is StreamState.CONNECTED)
        assert StreamState.RECONNECTING in [s for s, _ in states]
        # Heartbeats are answered, so the round trip gets measured and the link stays up.
        await wait_until(lambda: stream.rtt_ms is not None)
        assert stream.last_message_monotonic > 0
        # Subscribing mid-connection sends at once; a rejected topic is reported via on_state.
        more: list[dict] = []
        stream.subscribe("/t/execution:C", more.append)
        stream.subscribe("/bad", more.append)
        await wait_until(lambda: len(more) == 1 and any("rejected" in d for _, d in states))
        assert more[0]["topic"] == "/t/execution:C"
        assert fake.connections == 2  # none of that caused a reconnect
    finally:
        await stream.close()
        await asyncio.wait_for(task, 2)
    assert stream.state is StreamState.CLOSED


async def test_dead_link_is_detected_and_reconnected(
    feed: tuple[FakeFeed, Callable[[], Any]],
) -> None:
    fake, token_source = feed
    fake.silent = True  # no pongs, no acks
    stream = WsStream(token_source, backoff_base=0.01, backoff_cap=0.05, ack_timeout=0.1)
    task = asyncio.create_task(stream.run())
    try:
        await wait_until(lambda: fake.connections >= 2)
    finally:
        await stream.close()
        await asyncio.wait_for(task, 2)


async def test_missing_welcome_reconnects(feed: tuple[FakeFeed, Callable[[], Any]]) -> None:
    fake, token_source = feed
    fake.welcome = False
    states: list[tuple[StreamState, str]] = []
    stream = WsStream(
        token_source, on_state=lambda s, d: states.append((s, d)),
        backoff_base=0.01, backoff_cap=0.05, welcome_timeout=0.1,
    )  # fmt: skip
    task = asyncio.create_task(stream.run())
    try:
        await wait_until(lambda: fake.connections >= 2)
        assert any("welcome" in d for _, d in states)
    finally:
        await stream.close()
        await asyncio.wait_for(task, 2)


async def test_token_failure_backs_off_and_close_stops_run() -> None:
    attempts = 0

    async def failing() -> dict:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("token service down")

    stream = WsStream(failing, backoff_base=0.01, backoff_cap=0.02)
    task = asyncio.create_task(stream.run())
    await wait_until(lambda: attempts >= 3)
    assert stream.state is StreamState.RECONNECTING
    await stream.close()
    await asyncio.wait_for(task, 2)
    assert stream.state is StreamState.CLOSED


async def test_unsubscribe_stops_dispatch() -> None:
    async def never() -> dict:
        raise AssertionError

    got: list[dict] = []
    stream = WsStream(never)
    stream.subscribe("/t/x:A,B", got.append)
    stream.handle_frame(b'{"type":"message","topic":"/t/x:B","data":{}}')
    stream.unsubscribe("/t/x:A,B")
    stream.handle_frame(b'{"type":"message","topic":"/t/x:B","data":{}}')
    assert len(got) == 1


async def test_close_during_a_hanging_token_call_returns_promptly() -> None:
    started = asyncio.Event()

    async def hanging() -> dict:
        started.set()
        await asyncio.sleep(60)
        raise AssertionError

    stream = WsStream(hanging)
    task = asyncio.create_task(stream.run())
    await asyncio.wait_for(started.wait(), 2)
    await stream.close()
    await asyncio.wait_for(task, 1)
    assert stream.state is StreamState.CLOSED


async def test_token_never_appears_in_state_text() -> None:
    states: list[str] = []

    async def bullet() -> dict:
        return {"token": "SECRET-TOKEN", "instanceServers": [{"endpoint": "bogus://host/"}]}

    stream = WsStream(
        bullet, on_state=lambda _, d: states.append(d), backoff_base=0.01, backoff_cap=0.02
    )
    task = asyncio.create_task(stream.run())
    await wait_until(lambda: any("retry" in d for d in states))
    await stream.close()
    await asyncio.wait_for(task, 2)
    assert not any("SECRET-TOKEN" in d for d in states), states
