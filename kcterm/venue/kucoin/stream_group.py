"""Several WsStream connections of one kind, so topics beyond one connection's cap still flow.

KuCoin accepts about 100 topics per connection (spec/REFERENCE.md 6.4). The group puts each new
topic on the first connection with room and opens another one when all are full; each connection
reconnects and resubscribes on its own, so one lost link never disturbs the topics of another.
To its users it looks like one stream: subscribe, unsubscribe, run, close, state, rtt_ms.

The group also supervises its connections (ARCHITECTURE.md: every background task is
supervised). A watchdog, run as a plain loop callback so that a nested event loop cannot kill
it as it kills tasks, looks at each connection a few times a second: if its run ended without
close() (cancelled, raised, returned) or one of its tasks is wedged (task_health.py), the
connection is abandoned, shown as dead with the reason, and a fresh one with the same topics
is started after a backoff. A read loop that merely ends (an exception, a cancel, the server
closing) is reconnected by the connection itself.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from kcterm.venue.backoff import Backoff
from kcterm.venue.kucoin.frames import Handler, expand_topic
from kcterm.venue.kucoin.stream import TokenSource, WsStream
from kcterm.venue.stream_status import StreamState, StreamStatus
from kcterm.venue.task_health import StuckWatch

log = logging.getLogger("kcterm.venue.kucoin.stream")

MAX_TOPICS_PER_CONNECTION = 100
WATCH_EVERY_S = 0.25  # the watchdog's period
RESTART_BASE_S = 0.5  # a dead connection is replaced after a backoff from this ...
RESTART_CAP_S = 30.0  # ... up to this

GroupStateCallback = Callable[[str, StreamState, str], None]  # connection name, state, detail
GroupConnectedCallback = Callable[[list[str]], Awaitable[None] | None]  # that link's topics

# Worst first: the group shows the state of its least healthy connection.
_SEVERITY = [
    StreamState.DEAD,
    StreamState.CLOSED,
    StreamState.DISCONNECTED,
    StreamState.RECONNECTING,
    StreamState.CONNECTING,
    StreamState.STALE,
    StreamState.CONNECTED,
]


class StreamGroup:
    def __init__(
        self,
        token_source: TokenSource,
        *,
        private: bool = False,
        name: str = "public",
        on_state: GroupStateCallback | None = None,
        on_connected: GroupConnectedCallback | None = None,
        max_topics: int = MAX_TOPICS_PER_CONNECTION,
        **stream_options: Any,
    ) -> None:
        self._token_source = token_source
        self.private = private
        self.name = name
        self._on_state = on_state
        self._on_connected = on_connected
        self.max_topics = max_topics
        self._options = stream_options
        self.streams: list[WsStream] = []
        self._runs: dict[WsStream, asyncio.Task[None]] = {}
        self._running = False
        self._closed = False
        self._closing: asyncio.Future[None] | None = None
        self._watch = StuckWatch()
        self._watchdog: asyncio.TimerHandle | None = None
        self._restarts: dict[str, Backoff] = {}  # connection name -> its restart backoff
        self.restarts = 0  # connections replaced by the watchdog so far
        self._made = 0  # connections made so far: names stay unique after one is retired
        self._retiring: set[asyncio.Future[None]] = set()
        self._add_stream()

    def __repr__(self) -> str:
        return f"StreamGroup({self.name!r}, connections={len(self.streams)})"

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(self, topic: str, handler: Handler) -> None:
        for stream in self.streams:
            if stream.has_topic(topic):
                stream.subscribe(topic, handler)  # a new handler for a known topic
                return
        needed = len(expand_topic(topic))
        for stream in self.streams:
            if stream.topic_count() + needed <= self.max_topics:
                stream.subscribe(topic, handler)
                return
        stream = self._add_stream()
        log.info("%s: %d topics on one connection; opening %s", self.name, needed, stream.name)
        stream.subscribe(topic, handler)
        if self._running:
            self._start(stream)

    def unsubscribe(self, topic: str) -> None:
        """Stop `topic` on the wire (the connection sends the unsubscribe) and free its slot.
        An extra connection left with no topic at all is closed: it would cost a socket,
        pings and a token for nothing."""
        for stream in list(self.streams):
            if stream.has_topic(topic):
                stream.unsubscribe(topic)
                if stream is not self.streams[0] and not stream.topics:
                    self._retire(stream)

    # -- lifecycle ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Run every connection (and those added later) until close()."""
        if self._closed:
            return
        self._closing = asyncio.get_running_loop().create_future()
        self._running = True
        for stream in self.streams:
            self._start(stream)
        self._arm_watchdog()
        await self._closing
        await asyncio.gather(*self._runs.values(), return_exceptions=True)

    async def close(self) -> None:
        self._running = False
        self._closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        for stream in self.streams:
            await stream.close()
        if self._closing is not None and not self._closing.done():
            self._closing.set_result(None)

    # -- what the UI reads ---------------------------------------------------------------------

    @property
    def state(self) -> StreamState:
        return min((s.state for s in self.streams), key=_SEVERITY.index)

    @property
    def rtt_ms(self) -> float | None:
        rtts = [s.rtt_ms for s in self.streams if s.rtt_ms is not None]
        return max(rtts) if rtts else None

    @property
    def last_message_monotonic(self) -> float:
        return max(s.last_message_monotonic for s in self.streams)

    @property
    def connections(self) -> int:
        """Successful connections over all links (each reconnect adds one)."""
        return sum(s.connections for s in self.streams)

    @property
    def _subscriptions(self) -> dict[str, Handler]:
        # Read by older debugging code; the union of every connection's topics.
        merged: dict[str, Handler] = {}
        for stream in self.streams:
            merged.update(stream._subscriptions)
        return merged

    def statuses(self) -> list[StreamStatus]:
        return [stream.status() for stream in self.streams]

    # -- helpers -------------------------------------------------------------------------------

    def _add_stream(self) -> WsStream:
        self._made += 1
        index = self._made
        stream = self._make_stream(self.name if index == 1 else f"{self.name}-{index}")
        self.streams.append(stream)
        return stream

    def _make_stream(self, name: str) -> WsStream:
        stream = WsStream(
            self._token_source,
            private=self.private,
            name=name,
            on_state=lambda state, detail: self._state(name, state, detail),
            on_connected=lambda: self._connected(stream),
            **self._options,
        )
        return stream

    def _retire(self, stream: WsStream) -> None:
        self.streams.remove(stream)
        self._runs.pop(stream, None)
        self._restarts.pop(stream.name, None)
        log.info("%s: %s has no topics left; closing it", self.name, stream.name)
        closing = asyncio.ensure_future(stream.close())
        self._retiring.add(closing)
        closing.add_done_callback(self._retiring.discard)

    def _start(self, stream: WsStream) -> None:
        if stream not in self._runs and stream in self.streams and not self._closed:
            task = self._runs[stream] = asyncio.ensure_future(stream.run())
            stream.run_task = task

    # -- the watchdog ----------------------------------------------------------------------------

    def _arm_watchdog(self) -> None:
        if not self._closed:
            loop = asyncio.get_running_loop()
            self._watchdog = loop.call_later(WATCH_EVERY_S, self._check)

    def _check(self) -> None:
        """A loop callback, never a task: it must keep running through a nested event loop."""
        self._watchdog = None
        if self._closed:
            return
        try:
            for stream in list(self.streams):
                if stream in self._runs:
                    reason = stream.health(self._watch)
                    if reason is not None:
                        self._replace(stream, reason)
        except Exception:  # the watchdog itself must never stop
            log.exception("%s: stream watchdog failed", self.name)
        loop = asyncio.get_event_loop()
        self._watchdog = loop.call_later(WATCH_EVERY_S, self._check)

    def _replace(self, old: WsStream, reason: str) -> None:
        """Abandon a connection that can no longer deliver and start a fresh one with the same
        topics in its place, after a backoff (a cause that repeats must not spin)."""
        backoff = self._restarts.setdefault(old.name, Backoff(RESTART_BASE_S, RESTART_CAP_S))
        delay = backoff.next_delay()
        text = f"{reason}; restarting in {delay:.1f} s"
        log.error("%s: %s", old.name, text)
        self._runs.pop(old, None)
        old.abandon(text)
        fresh = self._make_stream(old.name)
        fresh.connections = old.connections  # a restart counts as a reconnect
        for topic, handler in old._subscriptions.items():
            fresh.subscribe(topic, handler)  # recorded; sent once the fresh one is welcomed
        fresh.state, fresh.detail = StreamState.DEAD, text
        fresh.next_attempt_monotonic = time.monotonic() + delay
        self.streams[self.streams.index(old)] = fresh
        self.restarts += 1
        asyncio.get_event_loop().call_later(delay, self._start, fresh)

    def _state(self, name: str, state: StreamState, detail: str) -> None:
        if self._on_state is not None:
            self._on_state(name, state, detail)

    async def _connected(self, stream: WsStream) -> None:
        restarts = self._restarts.get(stream.name)
        if restarts is not None:
            restarts.reset()
        if self._on_connected is None:
            return
        result = self._on_connected(stream.topics)
        if inspect.isawaitable(result):
            await result
