"""One KuCoin WebSocket connection that never gives up (spec/REFERENCE.md section 8.1).

The stream owns the subscription list, so every reconnect (fresh token, new server) comes
back with the same topics. Frames are dispatched by ``type`` and then by exact ``topic``;
anything malformed is logged and skipped so one bad frame can never stop the feed.

The transport is aiohttp's WebSocket client (its frame reader is compiled): a read of the
socket parses every whole frame in it at once, and the read loop then takes them one by one
from aiohttp's queue without going back to the event loop in between. Under qasync each trip
through the loop is a Qt event, which costs more than reading a frame, so in a fast market
this is the difference (issue 14).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import random
import re
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp
import orjson
from aiohttp import ClientWebSocketResponse, WSMsgType

from kcterm.venue.backoff import Backoff
from kcterm.venue.kucoin.frames import FrameRouter, Handler, expand_topic
from kcterm.venue.stream_status import StreamState, StreamStatus
from kcterm.venue.task_health import StuckWatch, end_reason

log = logging.getLogger("kcterm.venue.kucoin.stream")

TokenSource = Callable[[], Awaitable[dict[str, Any]]]
StateCallback = Callable[["StreamState", str], None]
ConnectedCallback = Callable[[], Awaitable[None] | None]

WELCOME_TIMEOUT = 5.0  # the official SDK gives up after 5 s
MAX_FRAME_BYTES = 16 * 1024 * 1024  # depth snapshots can be large; never cut a frame
TASK_STOP_TIMEOUT = 2.0  # a cancelled read or ping loop has this long to end
OPEN_TIMEOUT = 10.0  # the opening: TCP, TLS and the HTTP upgrade
CLOSE_TIMEOUT = 2.0  # the closing handshake; then the socket is dropped all the same
# Whatever a transport error quotes of the URL, the token's query value never reaches a log.
_TOKEN_IN_TEXT = re.compile(r"token=[^&\s'\"]*")

if TYPE_CHECKING:  # generic only in newer aiohttp: the alias is for annotations alone
    WebSocket = ClientWebSocketResponse[bool]


class WsStream:
    def __init__(
        self,
        token_source: TokenSource,
        *,
        private: bool = False,
        name: str = "public",
        on_state: StateCallback | None = None,
        on_connected: ConnectedCallback | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 60.0,
        ack_timeout: float = 5.0,
        welcome_timeout: float = WELCOME_TIMEOUT,
    ) -> None:
        self._token_source = token_source
        self.private = private
        self.name = name
        self._on_state = on_state
        self._on_connected = on_connected
        self._backoff = Backoff(backoff_base, backoff_cap)
        self._ack_timeout = ack_timeout
        self._welcome_timeout = welcome_timeout
        self.state = StreamState.DISCONNECTED
        self.detail = ""
        self.last_message_monotonic = 0.0
        self.next_attempt_monotonic: float | None = None
        self.connections = 0  # successful connections so far (welcomed and subscribed)
        self._subscriptions: dict[str, Handler] = {}  # topic as subscribed -> handler
        self._ws: WebSocket | None = None
        self._ready = False  # welcomed: subscribe() may send directly
        self._router = FrameRouter(name, self._report)
        self._ids = itertools.count(1)
        self._closed = False
        # A plain future, not an Event: waiting on it makes no coroutine that could be
        # cancelled before it ever ran (which Python reports as "never awaited").
        self._closing: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        # The tasks of the connection now running, for the supervisor (StreamGroup) to watch.
        self.run_task: asyncio.Future[None] | None = None
        self._attempt_task: asyncio.Future[str] | None = None
        self._reader: asyncio.Future[str] | None = None
        self._pinger: asyncio.Future[str] | None = None

    def __repr__(self) -> str:
        return f"WsStream({self.name!r}, state={self.state.value!r})"

    # -- subscriptions -----------------------------------------------------------------

    def subscribe(self, topic: str, handler: Handler) -> None:
        """Route ``topic`` to ``handler``, now (if connected) and after every reconnect."""
        self._subscriptions[topic] = handler
        for single in expand_topic(topic):
            self._router.handlers[single] = handler
        if self._ready:
            self._spawn(self._request("subscribe", topic))

    def unsubscribe(self, topic: str) -> None:
        if self._subscriptions.pop(topic, None) is None:
            return
        for single in expand_topic(topic):
            self._router.handlers.pop(single, None)
        if self._ready:
            self._spawn(self._request("unsubscribe", topic))

    # -- lifecycle ---------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, serve and reconnect until close() is called."""
        self.run_task = asyncio.current_task()
        self._closing = asyncio.get_running_loop().create_future()
        if self._closed:
            self._closing.set_result(None)
        first = True
        while not self._closed:
            self._set_state(
                StreamState.CONNECTING if first else StreamState.RECONNECTING, "connecting"
            )
            first = False
            reason = await self._attempt()
            if self._closed:
                break
            delay = self._backoff.next_delay()
            log.warning("%s stream: %s; reconnecting in %.1f s", self.name, reason, delay)
            self.next_attempt_monotonic = time.monotonic() + delay
            self._set_state(StreamState.RECONNECTING, f"{reason}; retry in {delay:.1f} s")
            await asyncio.wait({self._closing}, timeout=delay)
            self.next_attempt_monotonic = None
        self._set_state(StreamState.CLOSED, "closed")

    async def _attempt(self) -> str:
        """One connection attempt, abandoned at once if close() is called meanwhile (the
        token call alone may hang for the REST timeout)."""
        assert self._closing is not None
        attempt = self._attempt_task = asyncio.ensure_future(self._serve_once())
        try:
            # Futures of different results: asyncio.wait takes them as Future[Any].
            racers: set[asyncio.Future[Any]] = {attempt, self._closing}
            await asyncio.wait(racers, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not attempt.done():
                attempt.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await attempt
        if attempt.cancelled():
            return "closed"
        exc = attempt.exception()
        if exc is None:
            return attempt.result()
        # Every failure means "try again later"; the text goes to logs and on_state.
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

    async def close(self) -> None:
        """Stop for good: run() returns and no reconnect is attempted."""
        self._closed = True
        self._ready = False
        if self._closing is not None and not self._closing.done():
            self._closing.set_result(None)
        ws = self._ws
        if ws is not None:
            await _close_link(ws)
        for task in list(self._tasks):
            task.cancel()
        self._set_state(StreamState.CLOSED, "closed")

    # -- supervision (StreamGroup's watchdog) ---------------------------------------------

    def health(self, watch: StuckWatch) -> str | None:
        """Why this stream cannot deliver any more (None while it can): its run ended
        without close(), or one of its tasks is wedged (task_health.py)."""
        if self._closed:
            return None
        run = self.run_task
        if run is not None and run.done():
            return f"stream task ended ({end_reason(run)})"
        for what, task in (
            ("stream task", run),
            ("connection task", self._attempt_task),
            ("read loop", self._reader),
            ("ping loop", self._pinger),
        ):
            if watch.stuck(task):
                return f"{what} stopped running (a nested event loop?)"
        return None

    def abandon(self, reason: str) -> None:
        """Give this stream up without waiting for anything: its tasks may never run again.
        The supervisor starts a fresh stream with the same topics in its place."""
        self._closed = True
        self._ready = False
        self._on_connected = None
        if self._closing is not None and not self._closing.done():
            self._closing.set_result(None)
        ws, self._ws = self._ws, None
        if ws is not None:
            _drop_link(ws)  # no close handshake: that would need a task to run
        for task in (self.run_task, self._attempt_task, self._reader, self._pinger):
            if task is not None:
                task.cancel()
        for task in list(self._tasks):
            task.cancel()
        self._set_state(StreamState.DEAD, reason)
        self._on_state = None  # from now on its news is nobody's

    async def _serve_once(self) -> str:
        """One connection from token to loss; returns (or raises) the reason it ended."""
        bullet = await self._token_source()
        token = str(bullet["token"])
        server = random.choice(bullet["instanceServers"])  # as the SDK does
        endpoint = str(server["endpoint"])
        ping_interval = float(server.get("pingInterval", 18000)) / 1000.0
        ping_timeout = float(server.get("pingTimeout", 10000)) / 1000.0
        connect_id = str(time.time_ns())
        joiner = "&" if "?" in endpoint else "?"
        url = f"{endpoint}{joiner}token={quote(token, safe='')}&connectId={connect_id}"
        try:
            return await self._connect_and_serve(url, endpoint, ping_interval, ping_timeout)
        except Exception as exc:
            # Transport errors quote the URL; the token must not reach logs or the UI.
            text = str(exc)
            if "token=" in text or (token and token in text):
                text = _TOKEN_IN_TEXT.sub("token=<token>", text)
                if token:
                    text = text.replace(quote(token, safe=""), "<token>").replace(token, "<token>")
                raise ConnectionError(f"{type(exc).__name__}: {text}") from None
            raise

    async def _connect_and_serve(
        self, url: str, endpoint: str, ping_interval: float, ping_timeout: float
    ) -> str:
        # An HTTP session of its own: leaving it closes the socket, whatever happened before.
        async with aiohttp.ClientSession() as http:
            async with asyncio.timeout(OPEN_TIMEOUT):
                ws = await http.ws_connect(
                    url,
                    max_msg_size=MAX_FRAME_BYTES,
                    compress=0,
                    # KuCoin heartbeats are JSON ping frames, so aiohttp's own stay off (it
                    # still answers a server's protocol pings, as any client must).
                    heartbeat=None,
                    autoping=True,
                    autoclose=True,
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=CLOSE_TIMEOUT),
                )
            self._ws = ws
            self._router.reset_connection()
            self._router.welcome = asyncio.Event()
            reader = self._reader = asyncio.ensure_future(self._read_loop(ws))
            pinger = self._pinger = asyncio.ensure_future(
                self._ping_loop(ws, ping_interval, ping_timeout)
            )
            try:
                return await self._session(ws, endpoint, reader, pinger)
            finally:
                if self._ws is ws:  # not abandoned meanwhile
                    self._ready = False
                    self._ws = None
                for task in (reader, pinger):
                    task.cancel()
                # Collect their outcome so no "exception was never retrieved" noise remains,
                # but never wait forever: a task whose step failed ("Cannot enter into task",
                # a nested event loop) stays pending for good, and closing must not hang on it.
                _, stuck = await asyncio.wait({reader, pinger}, timeout=TASK_STOP_TIMEOUT)
                for task in stuck:
                    log.error("%s stream: %r did not stop; abandoned", self.name, task)
                for task in (reader, pinger):
                    if task.done() and not task.cancelled():
                        task.exception()
                if stuck:
                    _drop_link(ws)  # a close would wait for the stuck reader to see it
                else:
                    await _close_link(ws)
                self._router.reset_connection()

    async def _session(
        self,
        ws: WebSocket,
        endpoint: str,
        reader: asyncio.Future[str],
        pinger: asyncio.Future[str],
    ) -> str:
        assert self._router.welcome is not None
        welcome = asyncio.ensure_future(self._router.welcome.wait())
        opening: set[asyncio.Future[Any]] = {welcome, reader}
        done, _ = await asyncio.wait(
            opening,
            timeout=self._welcome_timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if welcome not in done:
            welcome.cancel()
            if reader in done:
                return f"closed before welcome ({reader.result()})"
            return "no welcome within timeout"
        # Snapshot the topic list and open the gate in one step (no await in between), so a
        # subscribe() racing with this is sent exactly once.
        topics = list(self._subscriptions)
        self._ready = True
        if topics:
            # Watch the reader too: a link lost mid-resubscribe must not wait out every ack.
            subs = asyncio.ensure_future(
                asyncio.gather(*(self._request("subscribe", t) for t in topics))
            )
            racing: set[asyncio.Future[Any]] = {subs, reader}
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
            if not subs.done():
                # The link ended first. One socket read can hold every ack and the close after
                # them: the reader then resolved those acks before it ended, and their requests
                # only wait for their turn. The acks still missing are dropped now, so every
                # request ends at once; the link was up only if each one got its answer.
                self._router.reset_connection()
                if not all(await subs):
                    return reader.result()
        if self._closed:
            return "closed"
        self._backoff.reset()
        self.connections += 1
        self._set_state(StreamState.CONNECTED, f"connected to {endpoint}")
        await self._call_connected()
        ended, _ = await asyncio.wait({reader, pinger}, return_when=asyncio.FIRST_COMPLETED)
        task = next(iter(ended))
        if task.cancelled() or task.exception() is not None:
            # Killed from outside or failed: reconnect all the same, and say which and why.
            which = "read loop" if task is reader else "ping loop"
            return f"{which} ended ({end_reason(task)})"
        return str(task.result())

    async def _call_connected(self) -> None:
        if self._on_connected is None:
            return
        try:
            result = self._on_connected()
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("%s stream: on_connected callback failed", self.name)

    async def _read_loop(self, ws: WebSocket) -> str:
        # receive() returns at once while aiohttp holds parsed frames: a socket read's worth
        # of frames is handled here in one go, the loop visited only when the queue is empty.
        receive = ws.receive
        router = self._router
        text, binary = WSMsgType.TEXT, WSMsgType.BINARY
        while True:
            msg = await receive()
            kind = msg.type
            if kind is text or kind is binary:
                self.last_message_monotonic = time.monotonic()
                router.handle_frame(msg.data)
            elif kind is WSMsgType.CLOSE:  # the server's close frame (answered by aiohttp)
                return f"server closed the connection ({msg.data})"
            elif kind is WSMsgType.ERROR:  # a protocol error or a frame over max_msg_size
                exc = msg.data
                return f"connection failed ({type(exc).__name__}: {exc})"
            elif kind is WSMsgType.CLOSING:  # our own close() is under way
                return "connection closing"
            elif kind is WSMsgType.CLOSED:
                code = ws.close_code
                return f"connection closed ({code if code is not None else 'no close frame'})"
            # anything else (a PING or PONG aiohttp passed on) carries no data for us

    async def _ping_loop(self, ws: WebSocket, interval: float, timeout: float) -> str:
        """Send pings every ``interval``. A pong overdue by half the timeout marks the stream
        stale; none within interval + timeout means the link is dead (KuCoin's own rule).
        Only pongs count: a socket can keep delivering old buffered data while the server
        has stopped answering, and data alone must not hide that."""
        self._router.last_pong_monotonic = time.monotonic()
        tick = max(0.01, min(interval, timeout) / 4)
        next_ping = time.monotonic() + interval
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            silent = now - self._router.last_pong_monotonic
            if silent > interval + timeout:  # the connection's end closes the socket
                return f"no pong for {interval + timeout:.1f} s (link dead)"
            if silent > interval + timeout / 2:
                if self.state is StreamState.CONNECTED:
                    self._set_state(StreamState.STALE, f"no pong for {silent:.1f} s")
            elif self.state is StreamState.STALE:
                self._set_state(StreamState.CONNECTED, "pong received again")
            if now >= next_ping:
                next_ping = now + interval
                ping_id = str(next(self._ids))
                self._router.ping_sent(ping_id)
                await ws.send_str(orjson.dumps({"id": ping_id, "type": "ping"}).decode())

    async def _request(self, kind: str, topic: str) -> bool:
        """Send (un)subscribe with response:true and wait for the ack; failures are reported,
        not raised, because one bad topic must not take the other subscriptions down. True
        when the server answered (an ack or an error), False when no answer came."""
        ws = self._ws
        if ws is None:
            return False
        req_id = str(next(self._ids))
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._router.acks[req_id] = fut
        frame = {
            "id": req_id,
            "type": kind,
            "topic": topic,
            "privateChannel": self.private,
            "response": True,
        }
        try:
            await ws.send_str(orjson.dumps(frame).decode())
            reply = await asyncio.wait_for(fut, self._ack_timeout)
        except TimeoutError:
            self._report(f"{kind} {topic}: no ack within {self._ack_timeout:.0f} s")
            return False
        except (ConnectionError, aiohttp.ClientError):
            return False  # the connection is going away; the next one resubscribes
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # we ourselves are being cancelled
            return False  # only the ack future was dropped (connection reset)
        finally:
            self._router.acks.pop(req_id, None)
        if reply.get("type") == "error":
            self._report(f"{kind} {topic} rejected: {reply.get('code')} {reply.get('data')}")
        return True

    # -- frame dispatch ------------------------------------------------------------------

    def handle_frame(self, raw: str | bytes) -> None:
        """Parse and dispatch one frame; never raises (see FrameRouter)."""
        self._router.handle_frame(raw)

    @property
    def rtt_ms(self) -> float | None:
        """Round trip of the last answered ping, in ms; None before the first pong."""
        return self._router.rtt_ms

    @property
    def topics(self) -> list[str]:
        """Topics as subscribed (a comma topic counts once here)."""
        return list(self._subscriptions)

    def topic_count(self) -> int:
        """Single-symbol topics, as the exchange counts them against its per-connection cap."""
        return sum(len(expand_topic(topic)) for topic in self._subscriptions)

    def has_topic(self, topic: str) -> bool:
        return topic in self._subscriptions

    def status(self) -> StreamStatus:
        retry_in = None
        if self.next_attempt_monotonic is not None:
            retry_in = max(0.0, self.next_attempt_monotonic - time.monotonic())
        return StreamStatus(
            self.name,
            self.state,
            self._backoff.attempt,
            retry_in,
            self.topic_count(),
            self.rtt_ms,
            self.detail,
        )

    # -- helpers -------------------------------------------------------------------------

    def _set_state(self, state: StreamState, detail: str) -> None:
        self.state = state
        self.detail = detail
        self._notify(detail)

    def _report(self, detail: str) -> None:
        """A problem that does not change the state (e.g. one rejected topic)."""
        log.warning("%s stream: %s", self.name, detail)
        self._notify(detail)

    def _notify(self, detail: str) -> None:
        if self._on_state is None:
            return
        try:
            self._on_state(self.state, detail)
        except Exception:
            log.exception("%s stream: on_state callback failed", self.name)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _close_link(ws: WebSocket) -> None:
    """The closing handshake, bounded; the socket is dropped if it did not finish."""
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT):
            await ws.close()
    except Exception:  # timed out or failed: the link is dropped below all the same
        pass
    _drop_link(ws)


def _drop_link(ws: WebSocket) -> None:
    """Shut the socket at once, without a task: the peer sees the end, our side reads EOF and
    aiohttp closes its transport (after a finished close there is no socket left to shut)."""
    sock = ws.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
