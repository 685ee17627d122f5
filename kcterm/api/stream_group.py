"""Several WsStream connections of one kind, so topics beyond one connection's cap still flow.

KuCoin accepts about 100 topics per connection (spec/REFERENCE.md 6.4). The group puts each new
topic on the first connection with room and opens another one when all are full; each connection
reconnects and resubscribes on its own, so one lost link never disturbs the topics of another.
To its users it looks like one stream: subscribe, unsubscribe, run, close, state, rtt_ms.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from kcterm.api.frames import Handler, expand_topic
from kcterm.api.stream import TokenSource, WsStream
from kcterm.api.stream_status import StreamState, StreamStatus

log = logging.getLogger("kcterm.api.stream")

MAX_TOPICS_PER_CONNECTION = 100

GroupStateCallback = Callable[[str, StreamState, str], None]  # connection name, state, detail
GroupConnectedCallback = Callable[[list[str]], Awaitable[None] | None]  # that link's topics

# Worst first: the group shows the state of its least healthy connection.
_SEVERITY = [
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
        for stream in self.streams:
            if stream.has_topic(topic):
                stream.unsubscribe(topic)

    # -- lifecycle ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Run every connection (and those added later) until close()."""
        if self._closed:
            return
        self._closing = asyncio.get_running_loop().create_future()
        self._running = True
        for stream in self.streams:
            self._start(stream)
        await self._closing
        await asyncio.gather(*self._runs.values(), return_exceptions=True)

    async def close(self) -> None:
        self._running = False
        self._closed = True
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
        index = len(self.streams) + 1
        name = self.name if index == 1 else f"{self.name}-{index}"
        stream = WsStream(
            self._token_source,
            private=self.private,
            name=name,
            on_state=lambda state, detail: self._state(name, state, detail),
            on_connected=lambda: self._connected(stream),
            **self._options,
        )
        self.streams.append(stream)
        return stream

    def _start(self, stream: WsStream) -> None:
        if stream not in self._runs:
            self._runs[stream] = asyncio.ensure_future(stream.run())

    def _state(self, name: str, state: StreamState, detail: str) -> None:
        if self._on_state is not None:
            self._on_state(name, state, detail)

    async def _connected(self, stream: WsStream) -> None:
        if self._on_connected is None:
            return
        result = self._on_connected(stream.topics)
        if inspect.isawaitable(result):
            await result
