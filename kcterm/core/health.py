"""The session's health part: whether the link to the venue can be trusted right now.

One job: the state of every stream connection (with its reconnect attempt, next try and
round trip), the clock offset, the rate-limit budget, and whether a panel's feed is
delivering (the stale veils, ui.stale_veil). The status bar and the veils read this part and
nothing else of the session's plumbing: never the REST client or the stream groups.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kcterm.core.feed_watch import STALE_CEILING_S, FeedWatch
from kcterm.venue.base import Budget, RateLimit, RequestLink, StreamLink
from kcterm.venue.stream_status import StreamState, StreamStatus

# What the ui reads of a link, named here so the ui needs nothing from the venue layer.
__all__ = [
    "FRESH",
    "Budget",
    "Freshness",
    "Health",
    "LinkState",
    "RateLimit",
    "StreamReport",
    "StreamStatus",
]


@dataclass(frozen=True, slots=True)
class Freshness:
    """Whether a panel's numbers are the market's now; `text` says why not ("stale 12 s")."""

    stale: bool
    text: str = ""


FRESH = Freshness(False)

# How many stream reports Health keeps for the status bar's tooltip and for a reader of why
# a link dropped; a few reconnects' worth.
STREAM_HISTORY_LENGTH = 40


@dataclass(frozen=True, slots=True)
class StreamReport:
    """One state a stream connection reported, with the wall-clock time it did."""

    at: float
    name: str
    state: StreamState
    detail: str


@dataclass(frozen=True, slots=True)
class LinkState:
    """One stream group (public or private) as the status bar shows it."""

    name: str
    state: StreamState
    rtt_ms: float | None
    statuses: list[StreamStatus]


def _down(state: StreamState, what: str) -> Freshness:
    return Freshness(True, f"{what} {state.value}")


class Health:
    def __init__(self, requests: RequestLink, feed_of: Callable[[str], FeedWatch | None]) -> None:
        self._rest = requests
        self._feed_of = feed_of
        self.public: StreamLink | None = None
        self.private: StreamLink | None = None
        # name -> (state, detail) as each connection last reported; `streams_version` moves
        self.stream_states: dict[str, tuple[StreamState, str]] = {}
        self.streams_version = 0
        # Every report, newest last: a reconnect can pass its reason and "connecting" within
        # one loop pass, so the status bar's refresh would never see why the link dropped.
        self.stream_history: deque[StreamReport] = deque(maxlen=STREAM_HISTORY_LENGTH)

    def watch(self, public: StreamLink, private: StreamLink) -> None:
        self.public, self.private = public, private

    def set_stream_state(self, name: str, state: StreamState, detail: str) -> None:
        """The stream groups' on_state callback."""
        self.stream_states[name] = (state, detail)
        self.stream_history.append(StreamReport(time.time(), name, state, detail))
        self.streams_version += 1

    def _groups(self) -> tuple[StreamLink, StreamLink]:
        assert self.public is not None and self.private is not None, "watch() first"
        return self.public, self.private

    # -- the link ---------------------------------------------------------------------------

    def links(self) -> list[LinkState]:
        public, private = self._groups()
        return [
            LinkState(name, group.state, group.rtt_ms, group.statuses())
            for name, group in (("public", public), ("private", private))
        ]

    def stream_statuses(self) -> list[StreamStatus]:
        """Every connection: state, reconnect attempt and next try, topics, round trip."""
        public, private = self._groups()
        return public.statuses() + private.statuses()

    def pool_budgets(self) -> Mapping[str, Budget]:
        """Remaining rate-limit budget per pool (Public, Futures)."""
        return self._rest.pool_budgets()

    @property
    def rate_limit(self) -> RateLimit | None:
        """The venue's last word on the rate limit (remaining, limit, reset)."""
        return self._rest.last_rate_limit

    def now_ms(self) -> int:
        """The venue's clock now (epoch ms): local time corrected by the measured offset."""
        return self._rest.now_ms()

    @property
    def clock_offset_ms(self) -> int:
        return self._rest.clock_offset_ms

    def clock_text(self) -> str:
        """The measured offset to the exchange's clock and the round trip it was taken with."""
        rtt = self._rest.clock_rtt_ms
        tail = "" if rtt is None else f" (±{rtt / 2:.0f} ms)"
        return f"clock {self._rest.clock_offset_ms:+d} ms{tail}"

    # -- is a panel's feed delivering? -----------------------------------------------------------

    def is_stale(self, symbol: str) -> bool:
        """The symbol's book feed is silent for longer than its usual cadence (feed_watch.py):
        one-click trading should be off while this holds."""
        watch = self._feed_of(symbol)
        return watch is None or watch.stale(time.monotonic())

    def market_freshness(self, symbol: str) -> Freshness:
        """A symbol's market panels: the public stream is up and its book feed is not silent
        for longer than its usual cadence allows (feed_watch)."""
        state = self._groups()[0].state
        watch = self._feed_of(symbol)
        now = time.monotonic()
        silence = watch.silence(now) if watch is not None else None
        age = "" if silence is None else f" · {silence:.0f} s"
        if state is not StreamState.CONNECTED:
            return _down(state, "feed") if not age else Freshness(True, f"feed {state}{age}")
        if watch is None or silence is None:
            return Freshness(True, "no data yet")
        if watch.stale(now):
            return Freshness(True, f"stale {silence:.0f} s")
        return FRESH

    def private_freshness(self) -> Freshness:
        """Positions and orders: the private feed is quiet by nature, so only its link counts."""
        state = self._groups()[1].state
        return FRESH if state is StreamState.CONNECTED else _down(state, "order feed")

    def public_freshness(self) -> Freshness:
        """Panels of every contract (the watchlist): the public link, and any message lately."""
        public = self._groups()[0]
        if public.state is not StreamState.CONNECTED:
            return _down(public.state, "feed")
        last = public.last_message_monotonic
        silence = time.monotonic() - last if last else None
        if silence is None:
            return Freshness(True, "no data yet")
        if silence > STALE_CEILING_S:
            return Freshness(True, f"stale {silence:.0f} s")
        return FRESH
