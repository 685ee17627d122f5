"""What a Session offers the status bar beyond stream_states and rest.clock_offset_ms:
each connection's state with its reconnect attempt and next try, the rate-limit budget per
pool, the clock and whether a symbol's feed is stale."""

from __future__ import annotations

import time

from kcterm.api.rest import RestClient
from kcterm.api.stream_group import StreamGroup
from kcterm.api.stream_status import StreamStatus
from kcterm.api.throttle import PoolBudget
from kcterm.core.feed_watch import FeedWatch


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
