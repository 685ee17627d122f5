"""The WebSocket side: tokens, welcome, ping/pong, subscribe/ack and fan-out by topic.

The engine publishes synchronously; each frame is serialised once and queued to every
subscriber, whose own writer task sends it. A client that cannot keep up (queue full) or that
stops pinging is dropped, as KuCoin drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from kcterm.sim.topics import PRIVATE_TOPICS, TopicError, split_topic

log = logging.getLogger("kcterm.sim.ws")

MAX_TOPICS = 100  # per connection (REFERENCE 6.4)
MAX_QUEUE = 50_000  # frames waiting for one slow client before it is dropped


class Connection:
    def __init__(self, ws: web.WebSocketResponse, user_id: str | None, connect_id: str) -> None:
        self.ws = ws
        self.user_id = user_id  # None on a public connection
        self.connect_id = connect_id
        self.topics: set[str] = set()
        self.queue: asyncio.Queue[str] = asyncio.Queue(MAX_QUEUE)
        self.last_seen = time.monotonic()
        self.closing: asyncio.Future[Any] | None = None

    def send(self, text: str) -> bool:
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True


class Hub:
    def __init__(self, symbols: set[str], ping_interval_ms: int, ping_timeout_ms: int) -> None:
        self.symbols = symbols
        self.ping_interval_ms = ping_interval_ms
        self.ping_timeout_ms = ping_timeout_ms
        self._tokens: dict[str, str | None] = {}  # token -> user id (None: public)
        self._subs: dict[tuple[str | None, str], set[Connection]] = defaultdict(set)
        self.connections: set[Connection] = set()

    # -- tokens ----------------------------------------------------------------------------

    def issue_token(self, user_id: str | None) -> str:
        token = secrets.token_urlsafe(48)
        self._tokens[token] = user_id
        return token

    # -- Publisher -------------------------------------------------------------------------

    def wants(self, topic: str, user_id: str | None = None) -> bool:
        return bool(self._subs.get((user_id, topic)))

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        subscribers = self._subs.get((user_id, topic))
        if not subscribers:
            return
        frame: dict[str, Any] = {"topic": topic, "type": "message", "subject": subject}
        sn = data.get("sequence") if isinstance(data, dict) else None
        frame["sn"] = sn if sn is not None else time.time_ns() // 1_000_000
        frame["data"] = data
        if user_id is not None:
            frame["userId"] = user_id
            frame["channelType"] = "private"
        text = orjson.dumps(frame).decode()
        for conn in list(subscribers):
            if not conn.send(text):
                log.warning("dropping a client that fell %d frames behind", MAX_QUEUE)
                self._forget(conn)
                conn.closing = asyncio.ensure_future(conn.ws.close(code=1013))

    # -- connections -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=64 * 1024, autoping=True)
        await ws.prepare(request)
        token = request.query.get("token", "")
        connect_id = request.query.get("connectId", "") or str(time.time_ns())
        if token not in self._tokens:
            await ws.send_str(
                orjson.dumps(
                    {"id": connect_id, "type": "error", "code": 401, "data": "token is invalid"}
                ).decode()
            )
            await ws.close()
            return ws
        conn = Connection(ws, self._tokens[token], connect_id)
        self.connections.add(conn)
        conn.send(orjson.dumps({"id": connect_id, "type": "welcome"}).decode())
        writer = asyncio.ensure_future(self._write(conn))
        watchdog = asyncio.ensure_future(self._watch(conn))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    conn.last_seen = time.monotonic()
                    self._on_text(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._error(conn, None, 400, "binary frames are not supported")
        finally:
            self._forget(conn)
            self.connections.discard(conn)
            for task in (writer, watchdog):
                task.cancel()
            await asyncio.gather(writer, watchdog, return_exceptions=True)
        return ws

    async def close_all(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close()

    async def _write(self, conn: Connection) -> None:
        while True:
            text = await conn.queue.get()
            try:
                await conn.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def _watch(self, conn: Connection) -> None:
        """Drop a client that sent nothing (no ping) for pingInterval + pingTimeout."""
        limit = (self.ping_interval_ms + self.ping_timeout_ms) / 1000
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            if time.monotonic() - conn.last_seen > limit:
                log.info("closing a connection silent for %.1f s", limit)
                await conn.ws.close()
                return

    def _on_text(self, conn: Connection, text: str) -> None:
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            self._error(conn, None, 400, "message is not valid JSON")
            return
        if not isinstance(frame, dict):
            self._error(conn, None, 400, "message must be a JSON object")
            return
        frame_id = frame.get("id")
        kind = frame.get("type")
        if kind == "ping":
            conn.send(
                orjson.dumps(
                    {"id": frame_id, "type": "pong", "timestamp": time.time_ns() // 1000}
                ).decode()
            )
        elif kind in ("subscribe", "unsubscribe"):
            self._on_subscription(conn, frame_id, kind, frame)
        else:
            self._error(conn, frame_id, 400, f"unknown message type {kind!r}")

    def _on_subscription(self, conn: Connection, frame_id: Any, kind: str, frame: dict) -> None:
        try:
            topics = split_topic(frame.get("topic"), self.symbols, conn.user_id is not None)
        except TopicError as exc:
            self._error(conn, frame_id, exc.code, exc.text)
            return
        if kind == "subscribe":
            if len(conn.topics | set(topics)) > MAX_TOPICS:
                self._error(conn, frame_id, 509, f"at most {MAX_TOPICS} topics per connection")
                return
            for topic in topics:
                conn.topics.add(topic)
                self._subs[(self._owner(conn, topic), topic)].add(conn)
        else:
            for topic in topics:
                conn.topics.discard(topic)
                self._subs[(self._owner(conn, topic), topic)].discard(conn)
        if frame.get("response") in (True, "true"):
            conn.send(orjson.dumps({"id": str(frame_id), "type": "ack"}).decode())

    @staticmethod
    def _owner(conn: Connection, topic: str) -> str | None:
        """Private topics are keyed by the connection's user; public ones by nobody."""
        return conn.user_id if topic.partition(":")[0] in PRIVATE_TOPICS else None

    def _forget(self, conn: Connection) -> None:
        for topic in conn.topics:
            subs = self._subs.get((self._owner(conn, topic), topic))
            if subs is not None:
                subs.discard(conn)
        conn.topics.clear()

    def _error(self, conn: Connection, frame_id: Any, code: int, text: str) -> None:
        conn.send(
            orjson.dumps(
                {
                    "id": str(frame_id) if frame_id is not None else "",
                    "type": "error",
                    "code": code,
                    "data": text,
                }
            ).decode()
        )
