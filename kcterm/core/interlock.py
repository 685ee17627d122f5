"""The stale-feed interlock: may the user place orders on this symbol right now, and if not, why.

Prices on screen that are not the market's are how traders get hurt; so placing is refused while
a stream is down or reconnecting, while the book is resyncing, and while the symbol's market
data is older than `stale_after` seconds. Cancelling stays allowed: it only reduces risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FeedState(StrEnum):  # mirrors api.stream.StreamState's values without importing the api
    CONNECTED = "connected"


@dataclass(frozen=True, slots=True)
class Gate:
    open: bool
    reason: str = ""  # why trading is off, in words (empty when open)


OPEN = Gate(True)


@dataclass(frozen=True, slots=True)
class FeedFacts:
    """What the interlock looks at; the session fills it in (see Session.feed_facts)."""

    public_state: str
    private_state: str
    book_live: bool
    market_age: float | None  # seconds since the symbol's last market message; None: never


def evaluate(facts: FeedFacts, stale_after: float) -> Gate:
    if facts.public_state != FeedState.CONNECTED:
        return Gate(False, f"Market feed {facts.public_state}: trading paused")
    if facts.private_state != FeedState.CONNECTED:
        return Gate(False, f"Order feed {facts.private_state}: trading paused")
    if facts.market_age is None:
        return Gate(False, "Waiting for market data")
    if not facts.book_live:
        return Gate(False, "Order book resyncing: trading paused")
    if facts.market_age > stale_after:
        return Gate(False, f"Market data stale ({facts.market_age:.0f} s old): trading paused")
    return OPEN
