"""What a Session offers the status bar beyond stream_states and rest.clock_offset_ms:
each connection's state with its reconnect attempt and next try, the rate-limit budget per
pool, the clock and whether a symbol's feed is stale."""

from __future__ import annotations

import time
from dataclasses import dataclass

from kcterm.core.feed_watch import STALE_CEILING_S, FeedWatch
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup
from kcterm.venue.kucoin.stream_status import StreamState, StreamStatus
from kcterm.venue.kucoin.throttle import PoolBudget


class SessionStatus:
    rest: RestClient
    public: StreamGroup
    private: StreamGroup
    feeds: dict[str, FeedWatch]

    def stream_statuses(self) -> list[StreamStatus]:
        """Every connection: state, reconnect attempt and next try, topics, round trip."""
        return self.public.statuses() + self.private.statuses()

    def pool_budgets(self) -> dict[str, PoolBudget]:
        """Remaining rate-limit budget per pool (Public, Futures)."""
        return self.rest.pool_budgets()

    def is_stale(self, symbol: str) -> bool:
        """The symbol's book feed is silent for longer than its usual cadence (feed_watch.py):
        one-click trading should be off while this holds."""
        watch = self.feeds.get(symbol)
        return watch is None or watch.stale(time.monotonic())

    def clock_text(self) -> str:
        """The measured offset to the exchange's clock and the round trip it was taken with."""
        rtt = self.rest.clock_rtt_ms
        tail = "" if rtt is None else f" (±{rtt / 2:.0f} ms)"
        return f"clock {self.rest.clock_offset_ms:+d} ms{tail}"


@dataclass(frozen=True, slots=True)
class Freshness:
    """Whether a panel's numbers are the market's now; `text` says why not ("stale 12 s")."""

    stale: bool
    text: str = ""


FRESH = Freshness(False)


def _down(state: StreamState, what: str) -> Freshness:
    return Freshness(True, f"{what} {state.value}")


class SessionFreshness:
    """What the stale veils (ui.stale_veil) ask: is this panel's feed delivering?"""

    public: StreamGroup
    private: StreamGroup
    feeds: dict[str, FeedWatch]

    def market_freshness(self, symbol: str) -> Freshness:
        """A symbol's market panels: the public stream is up and its book feed is not silent
        for longer than its usual cadence allows (feed_watch)."""
        state = self.public.state
        watch = self.feeds.get(symbol)
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
        state = self.private.state
        return FRESH if state is StreamState.CONNECTED else _down(state, "order feed")

    def public_freshness(self) -> Freshness:
        """Panels of every contract (the watchlist): the public link, and any message lately."""
        state = self.public.state
        if state is not StreamState.CONNECTED:
            return _down(state, "feed")
        last = self.public.last_message_monotonic
        silence = time.monotonic() - last if last else None
        if silence is None:
            return Freshness(True, "no data yet")
        if silence > STALE_CEILING_S:
            return Freshness(True, f"stale {silence:.0f} s")
        return FRESH
