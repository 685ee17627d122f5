"""The WebSocket side: tokens, welcome, ping/pong, subscribe/ack and fan-out by topic.

The engine publishes synchronously; each frame is serialised once and queued to every
subscriber, whose own writer task sends it. A client that cannot keep up (queue full), that
stops pinging or that sends more than 100 messages in 10 s (spec/REFERENCE.md 6.4) is dropped, as
KuCoin drops it. Nothing a client sends and no failing socket can raise out of the hub: a bad frame
gets an error frame, a broken connection is closed and forgotten.

The fault drills reach in here through FaultState: level2 messages lost on the way (a sequence
gap every client sees), pings left unanswered, and every connection dropped at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import time
from collections import defaultdict, deque
from collections.abc import Coroutine
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from kcterm.sim.clock import Clock
from kcterm.sim.faults import FaultState
from kcterm.sim.topics import PRIVATE_TOPICS, TopicError, split_topic

log = logging.getLogger("kcterm.sim.ws")

SN_PREFIX = "/contractMarket/"
MAX_TOPICS = 100  # per connection (spec/REFERENCE.md 6.4)
MAX_QUEUE = 50_000  # frames waiting for one slow client before it is dropped
INBOUND_LIMIT = 100  # messages a client may send per window (spec/REFERENCE.md 6.4)
INBOUND_WINDOW_MS = 10_000
LEVEL2_PREFIX = "/contractMarket/level2:"
TOKEN_LIFETIME_MS = 24 * 3600 * 1000  # spec/REFERENCE.md 6.4: a token is valid 24 h
MAX_TOKENS = 100_000  # live tokens kept at most (the oldest go first): a bounded table
MAX_FRAME = 64 * 1024  # KuCoin's inbound frame limit: larger ones get an error, then 1009
# aiohttp buffers a frame up to this before giving up on its own (a bare 1009, no error
# frame); between MAX_FRAME and this the client is told why it is closed.
_READ_LIMIT = 4 * 1024 * 1024
# The frames queued for a client when its writer wakes (a market step's, published together)
# leave in as few TCP segments as fit: the socket is corked while they are written, then
# uncorked, which sends what is held at once. Without it each frame was a segment of its own
# and a client woke and read several times for one step. Linux has TCP_CORK; elsewhere the
# frames go out one by one, as before.
_CORK = getattr(socket, "TCP_CORK", None)
_BATCH_MAX = 1000  # frames written under one cork at most
# queued after a last frame: the writer closes (with the connection's close_code) once it
# is sent
_CLOSE_AFTER_FLUSH = ""


class Connection:
    def __init__(self, ws: web.WebSocketResponse, user_id: str | None, connect_id: str) -> None:
        self.ws = ws
        self.user_id = user_id  # None on a public connection
        self.connect_id = connect_id
        self.topics: set[str] = set()
        self.queue: asyncio.Queue[str] = asyncio.Queue(MAX_QUEUE)
        self.last_seen = time.monotonic()
        self.inbound: deque[float] = deque()  # monotonic times of the recent messages
        self.closed = False
        self.close_code = 1008  # what the writer closes with after a last error frame
        self.socket: Any = None  # the TCP socket under ws, to cork (None: not corked)
        self.corked_batches = 0  # batches of frames written under one cork (tests read it)

    @property
    def private(self) -> bool:
        return self.user_id is not None

    def send(self, text: str) -> bool:
        if self.closed:
            return True  # going away: nothing more to send, and not "too slow" either
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    def over_limit(self, now: float, limit: int, window_s: float) -> bool:
        """Count one inbound message; True when it is one too many for the window."""
        while self.inbound and now - self.inbound[0] >= window_s:
            self.inbound.popleft()
        self.inbound.append(now)
        return len(self.inbound) > limit


class Hub:
    def __init__(
        self,
        symbols: set[str],
        ping_interval_ms: int,
        ping_timeout_ms: int,
        *,
        faults: FaultState | None = None,
        clock: Clock | None = None,
        inbound_limit: int = INBOUND_LIMIT,
        inbound_window_ms: int = INBOUND_WINDOW_MS,
        token_lifetime_ms: int = TOKEN_LIFETIME_MS,
    ) -> None:
        self.symbols = symbols
        self.ping_interval_ms = ping_interval_ms
        self.ping_timeout_ms = ping_timeout_ms
        self.faults = faults or FaultState()
        self.clock = clock or Clock()
        self.inbound_limit = inbound_limit
        self.inbound_window_s = inbound_window_ms / 1000
        self.token_lifetime_s = token_lifetime_ms / 1000
        # token -> (user id or None for public, monotonic expiry). Insertion order is expiry
        # order (one lifetime for all), so purging looks only at the front.
        self._tokens: dict[str, tuple[str | None, float]] = {}
        self._subs: dict[tuple[str | None, str], set[Connection]] = defaultdict(set)
        self.connections: set[Connection] = set()
        self._closers: set[asyncio.Future[Any]] = set()
        self._id_base = f"{secrets.randbits(32):08x}"  # 8 + 16 hex: KuCoin's 24-char ids
        self._frame_ids = 0

    # -- tokens ----------------------------------------------------------------------------

    def issue_token(self, user_id: str | None) -> str:
        now = time.monotonic()
        self._purge(now)
        while len(self._tokens) >= MAX_TOKENS:
            del self._tokens[next(iter(self._tokens))]
        token = secrets.token_urlsafe(48)
        self._tokens[token] = (user_id, now + self.token_lifetime_s)
        return token

    def token_owner(self, token: str) -> tuple[bool, str | None]:
        """(valid, user id or None for a public token); an expired token is no token."""
        now = time.monotonic()
        self._purge(now)
        entry = self._tokens.get(token)
        if entry is None or entry[1] <= now:
            return False, None
        return True, entry[0]

    @property
    def token_count(self) -> int:
        self._purge(time.monotonic())
        return len(self._tokens)

    def _purge(self, now: float) -> None:
        tokens = self._tokens
        while tokens:
            first = next(iter(tokens))
            if tokens[first][1] > now:
                return
            del tokens[first]

    # -- Publisher -------------------------------------------------------------------------

    def wants(self, topic: str, user_id: str | None = None) -> bool:
        return bool(self._subs.get((user_id, topic)))

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        subscribers = self._subs.get((user_id, topic))
        if not subscribers:
            return
        if topic.startswith(LEVEL2_PREFIX) and self.faults.take_level2_skip(
            topic[len(LEVEL2_PREFIX) :]
        ):
            return  # the skip-sequence drill: this change is lost for every client
        try:
            text = self._data_frame(topic, subject, data, user_id)
        except Exception:  # the engine's payload could not be serialised: drop it, not us
            log.exception("cannot publish on %s", topic)
            return
        for conn in list(subscribers):
            if not conn.send(text):
                log.warning("dropping a client that fell %d frames behind", MAX_QUEUE)
                self._close(conn, 1013)

    def _data_frame(self, topic: str, subject: str, data: Any, user_id: str | None) -> str:
        frame: dict[str, Any] = {"topic": topic, "type": "message", "subject": subject}
        if topic.startswith(SN_PREFIX) and user_id is None and subject != "snapshot.24h":
            # Market-data frames carry `sn` (the sequence where there is one, as KuCoin's
            # examples do); account and 24 h snapshot frames carry a message `id` instead.
            sn = data.get("sequence") if isinstance(data, dict) else None
            frame["sn"] = sn if sn is not None else self.clock.now_ms()
        else:
            self._frame_ids += 1
            frame["id"] = f"{self._id_base}{self._frame_ids:016x}"
        frame["data"] = data
        if user_id is not None:
            frame["userId"] = user_id
            frame["channelType"] = "private"
        return orjson.dumps(frame).decode()

    # -- connections -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=_READ_LIMIT, autoping=True)
        await ws.prepare(request)
        token = request.query.get("token", "")
        connect_id = request.query.get("connectId", "") or str(time.time_ns())
        valid, user_id = self.token_owner(token)
        if not valid:
            with contextlib.suppress(Exception):
                await ws.send_str(_error_text(connect_id, 401, "token is invalid or expired"))
                await ws.close()
            return ws
        conn = Connection(ws, user_id, connect_id)
        transport = request.transport
        conn.socket = transport.get_extra_info("socket") if transport is not None else None
        self.connections.add(conn)
        conn.send(orjson.dumps({"id": connect_id, "type": "welcome"}).decode())
        writer = asyncio.ensure_future(self._write(conn))
        watchdog = asyncio.ensure_future(self._watch(conn))
        try:
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY) and _too_big(msg.data):
                    self._error(conn, None, 400, f"message is larger than {MAX_FRAME} bytes")
                    self._close_after_flush(conn, 1009)
                elif msg.type == WSMsgType.TEXT:
                    self._on_message(conn, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._on_message(conn, None)
        except Exception:  # a broken socket ends this connection, never the hub
            log.exception("connection %s failed", conn.connect_id)
        finally:
            conn.closed = True
            self._forget(conn)
            self.connections.discard(conn)
            for task in (writer, watchdog):
                task.cancel()
            await asyncio.gather(writer, watchdog, return_exceptions=True)
        return ws

    def drop(self, private: bool | None = None) -> int:
        """Close every connection now (only the private or public ones when asked); the
        drop-connections drill. Returns how many were closed."""
        dropped = [
            c
            for c in self.connections
            if not c.closed and (private is None or c.private == private)
        ]
        for conn in dropped:
            self._close(conn, 1001)
        self.faults.counters.connections_dropped += len(dropped)
        return len(dropped)

    async def close_all(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close()
        if self._closers:
            await asyncio.gather(*self._closers, return_exceptions=True)

    def _close(self, conn: Connection, code: int) -> None:
        """Close without waiting (callers are synchronous); the task is kept and its outcome
        collected so nothing is left dangling or unreported."""
        if conn.closed:
            return
        conn.closed = True
        self._forget(conn)
        self._spawn(conn.ws.close(code=code))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._closers.add(task)
        task.add_done_callback(self._collect)

    def _collect(self, task: asyncio.Future[Any]) -> None:
        self._closers.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("closing a connection failed: %r", task.exception())

    async def _write(self, conn: Connection) -> None:
        queue = conn.queue
        while True:
            text = await queue.get()
            corked = not queue.empty() and _cork(conn.socket, True)
            conn.corked_batches += corked
            try:
                written = 0
                while True:
                    if text == _CLOSE_AFTER_FLUSH:
                        await conn.ws.close(code=conn.close_code)
                        return
                    await conn.ws.send_str(text)
                    written += 1
                    if queue.empty() or written == _BATCH_MAX:
                        break
                    text = queue.get_nowait()
            except Exception as exc:  # the peer is gone: stop writing, the reader cleans up
                log.debug("send to %s failed: %r", conn.connect_id, exc)
                return
            finally:
                if corked:
                    _cork(conn.socket, False)  # what the cork held goes now

    async def _watch(self, conn: Connection) -> None:
        """Drop a client that sent nothing (no ping) for pingInterval + pingTimeout."""
        limit = (self.ping_interval_ms + self.ping_timeout_ms) / 1000
        while True:
            await asyncio.sleep(min(1.0, limit / 4))
            if time.monotonic() - conn.last_seen > limit:
                log.info("closing a connection silent for %.1f s", limit)
                with contextlib.suppress(Exception):
                    await conn.ws.close()
                return

    def _on_message(self, conn: Connection, text: str | None) -> None:
        """One inbound frame (None: a binary one). Never raises."""
        now = time.monotonic()
        conn.last_seen = now
        if conn.closed:
            return
        if conn.over_limit(now, self.inbound_limit, self.inbound_window_s):
            window = self.inbound_window_s
            self._error(
                conn, None, 509, f"too many messages: at most {self.inbound_limit} per {window:g} s"
            )
            self._close_after_flush(conn)
            return
        if text is None:
            self._error(conn, None, 400, "binary frames are not supported")
            return
        try:
            self._on_text(conn, text)
        except Exception:
            log.exception("bad frame on %s", conn.connect_id)
            self._error(conn, None, 400, "message could not be handled")

    def _close_after_flush(self, conn: Connection, code: int = 1008) -> None:
        if conn.closed:
            return
        self._forget(conn)
        conn.close_code = code
        if not conn.send(_CLOSE_AFTER_FLUSH):
            self._close(conn, code)
        conn.closed = True

    def _on_text(self, conn: Connection, text: str) -> None:
        try:
            frame = orjson.loads(text)
        except orjson.JSONDecodeError:
            self._error(conn, None, 400, "message is not valid JSON")
            return
        if not isinstance(frame, dict):
            self._error(conn, None, 400, "message must be a JSON object")
            return
        frame_id = _plain_id(frame.get("id"))
        kind = frame.get("type")
        if kind == "ping":
            if self.faults.pongs_stopped():
                self.faults.counters.pings_unanswered += 1
                return
            pong = {"id": frame_id, "type": "pong", "timestamp": self.clock.now_ns() // 1000}
            conn.send(orjson.dumps(pong).decode())
        elif kind in ("subscribe", "unsubscribe"):
            self._on_subscription(conn, frame_id, kind, frame)
        else:
            shown = kind if isinstance(kind, str) and len(kind) <= 40 else type(kind).__name__
            self._error(conn, frame_id, 400, f"unknown message type {shown!r}")

    def _on_subscription(
        self, conn: Connection, frame_id: Any, kind: str, frame: dict[str, Any]
    ) -> None:
        try:
            topics = split_topic(frame.get("topic"), self.symbols, conn.user_id is not None)
        except TopicError as exc:
            self._error(conn, frame_id, exc.code, exc.text[:200])
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
        conn.send(_error_text(str(frame_id) if frame_id is not None else "", code, text))


def _cork(sock: Any, on: bool) -> bool:
    """Cork (hold partial segments) or uncork (send them) `sock`; False when it cannot."""
    if _CORK is None or sock is None:
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, _CORK, 1 if on else 0)
    except OSError:  # closed under us, or not TCP: the frames go out uncorked
        return False
    return True


def _too_big(data: str | bytes) -> bool:
    """Over MAX_FRAME bytes on the wire (text counted as UTF-8, only when it could be)."""
    if isinstance(data, str) and len(data) * 4 > MAX_FRAME:
        return len(data.encode("utf-8", "surrogatepass")) > MAX_FRAME
    return len(data) > MAX_FRAME


def _plain_id(value: Any) -> Any:
    """A client's id echoed back: strings and numbers as sent, anything else (objects, lists,
    integers too big for JSON numbers) as bounded text, so echoing it can never fail."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return value[:100]
    if (isinstance(value, int) and -(2**63) <= value < 2**64) or isinstance(value, float):
        return value
    return str(value)[:100]


def _error_text(frame_id: str, code: int, text: str) -> str:
    return orjson.dumps({"id": frame_id, "type": "error", "code": code, "data": text}).decode()
