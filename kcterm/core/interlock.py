"""The stale-feed interlock: may the user place orders on this symbol right now, and if not, why.

Prices on screen that are not the market's are how traders get hurt; so placing is refused while
a stream is down or reconnecting, while the book is resyncing, and while the symbol's market
data is older than its stale limit: the one the caller gives, else the one its book feed's own
cadence suggests (core.feed_watch: a busy book is stale sooner than a quiet one), else
DEFAULT_STALE_AFTER; and while an unexpected failure has locked trading until the state is
reconciled (core.fault_lock). Cancelling stays allowed: it only reduces risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FeedState(StrEnum):  # mirrors venue.stream_status.StreamState's values
    CONNECTED = "connected"


@dataclass(frozen=True, slots=True)
class Gate:
    open: bool
    reason: str = ""  # why trading is off, in words (empty when open)


OPEN = Gate(True)
DEFAULT_STALE_AFTER = 5.0  # seconds, before a feed has shown its cadence


@dataclass(frozen=True, slots=True)
class FeedFacts:
    """What the interlock looks at; the session fills it in (see Session.feed_facts)."""

    public_state: str
    private_state: str
    book_live: bool
    market_age: float | None  # seconds since the symbol's last market message; None: never
    usual_stale_after: float | None = None  # from the feed's cadence, when it has one
    locked_reason: str = ""  # an unexpected failure, until reconciled (core.fault_lock)


def evaluate(facts: FeedFacts, stale_after: float | None = None) -> Gate:
    if facts.locked_reason:
        return Gate(False, f"Trading locked until reconciled: {facts.locked_reason}")
    if facts.public_state != FeedState.CONNECTED:
        return Gate(False, f"Market feed {facts.public_state}: trading paused")
    if facts.private_state != FeedState.CONNECTED:
        return Gate(False, f"Order feed {facts.private_state}: trading paused")
    if facts.market_age is None:
        return Gate(False, "Waiting for market data")
    if not facts.book_live:
        return Gate(False, "Order book resyncing: trading paused")
    limit = stale_after if stale_after is not None else facts.usual_stale_after
    if limit is None:
        limit = DEFAULT_STALE_AFTER
    if facts.market_age > limit:
        return Gate(False, f"Market data stale ({facts.market_age:.0f} s old): trading paused")
    return OPEN
