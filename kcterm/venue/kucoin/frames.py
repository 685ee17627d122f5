"""Parsing and routing of incoming KuCoin WebSocket frames (spec/REFERENCE.md 8.1 item 8).

Kept apart from the connection lifecycle so it can be fed arbitrary bytes in tests: the
router's one promise is that ``handle_frame`` never raises, whatever arrives.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson

log = logging.getLogger("kcterm.venue.kucoin.stream")
_loads = orjson.loads

Handler = Callable[[dict[str, Any]], None]

_LOG_SNIPPET = 200
_MAX_PENDING_PINGS = 16


def expand_topic(topic: str) -> list[str]:
    """``/x:A,B`` -> [``/x:A``, ``/x:B``]: data frames carry the single-symbol topic."""
    prefix, sep, suffix = topic.partition(":")
    if not sep or "," not in suffix:
        return [topic]
    return [f"{prefix}:{part.strip()}" for part in suffix.split(",") if part.strip()]


def snippet(raw: Any) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return text[:_LOG_SNIPPET]


class FrameRouter:
    """Dispatches frames by ``type``, then data frames by exact ``topic``."""

    def __init__(self, name: str, report: Callable[[str], None]) -> None:
        self.name = name
        self._report = report  # surfaces server errors that no request is waiting for
        self.handlers: dict[str, Handler] = {}  # single-symbol topic -> handler
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}  # request id -> ack/error frame
        self.welcome: asyncio.Event | None = None
        self.rtt_ms: float | None = None
        self.last_pong_monotonic = 0.0  # a pong (or the welcome) proves the server is there
        self._pings: dict[str, float] = {}  # ping id -> monotonic send time

    def ping_sent(self, ping_id: str) -> None:
        self._pings[ping_id] = time.monotonic()
        if len(self._pings) > _MAX_PENDING_PINGS:  # unanswered pings must not pile up
            self._pings.pop(next(iter(self._pings)))

    def reset_connection(self) -> None:
        """Forget per-connection state (pending acks and pings)."""
        for fut in self.acks.values():
            if not fut.done():
                fut.cancel()
        self.acks.clear()
        self._pings.clear()

    def handle_frame(self, raw: str | bytes) -> None:
        """Parse and dispatch one frame. Never raises: bad input is logged and dropped."""
        try:
            frame = _loads(raw)
        except Exception:
            log.warning("%s stream: dropping non-JSON frame %s", self.name, snippet(raw))
            return
        # The hot path (thousands of data frames a second): a message for a subscribed topic
        # goes straight to its handler; every other frame takes _dispatch, as before. Only a
        # str topic can be found (the keys are str), so a handler found means a dict frame
        # of type "message" with a topic we subscribed; anything else (not an object, no
        # type, no topic, an unhashable topic) raises here and is sorted out by _dispatch.
        try:
            handler = self.handlers[frame["topic"]] if frame["type"] == "message" else None
        except Exception:
            handler = None
        if handler is not None:
            try:
                handler(frame)
            except Exception:
                log.exception("%s stream: handler for %s failed", self.name, frame["topic"])
            return
        if not isinstance(frame, dict):
            log.warning("%s stream: dropping non-object frame %s", self.name, snippet(raw))
            return
        try:
            self._dispatch(frame)
        except Exception:
            log.exception("%s stream: failed to dispatch frame %s", self.name, snippet(raw))

    def _dispatch(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        frame_id = frame.get("id")
        key = str(frame_id) if isinstance(frame_id, str | int) else None
        # Some documented frames (funding.rate, announcement) carry no "type" at all.
        if kind == "message" or (kind is None and "topic" in frame):
            self._dispatch_message(frame)
        elif kind == "pong":
            sent = self._pings.pop(key, None) if key is not None else None
            if sent is not None:
                self.last_pong_monotonic = time.monotonic()
                self.rtt_ms = (self.last_pong_monotonic - sent) * 1000.0
        elif kind == "ack":
            self._resolve(key, frame)
        elif kind == "error":
            log.warning("%s stream: error frame %s", self.name, snippet(orjson.dumps(frame)))
            if not self._resolve(key, frame):
                self._report(f"server error {frame.get('code')}: {frame.get('data')}")
        elif kind == "welcome":
            if self.welcome is not None:
                self.welcome.set()
        elif kind in ("notice", "command"):
            log.info("%s stream: %s frame %s", self.name, kind, snippet(orjson.dumps(frame)))
        else:
            log.debug("%s stream: ignoring frame of type %r", self.name, kind)

    def _dispatch_message(self, frame: dict[str, Any]) -> None:
        topic = frame.get("topic")
        if not isinstance(topic, str):
            log.warning("%s stream: message without a topic", self.name)
            return
        handler = self.handlers.get(topic)
        if handler is None:
            log.debug("%s stream: no handler for %s", self.name, topic)
            return
        try:
            handler(frame)
        except Exception:
            log.exception("%s stream: handler for %s failed", self.name, topic)

    def _resolve(self, key: str | None, frame: dict[str, Any]) -> bool:
        fut = self.acks.get(key) if key is not None else None
        if fut is None or fut.done():
            return False
        fut.set_result(frame)
        return True
