"""The switches the fault drills set, read by the REST plumbing and the WebSocket hub.

Kept apart from drills.py so that http.py and ws.py can read them without importing the
objects that flip them. Counters say what the drills actually did, for the admin GET.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field


@dataclass
class Counters:
    connections_dropped: int = 0
    http_503_sent: int = 0
    http_429_sent: int = 0
    sequences_skipped: int = 0
    pings_unanswered: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "connectionsDropped": self.connections_dropped,
            "http503Sent": self.http_503_sent,
            "http429Sent": self.http_429_sent,
            "sequencesSkipped": self.sequences_skipped,
            "pingsUnanswered": self.pings_unanswered,
        }


@dataclass
class FaultState:
    seed: int = 0
    delay_ms: int = 0  # added to every REST reply
    fail_next: int = 0  # this many REST requests still to answer with 503
    fail_rate: float = 0.0  # and this fraction of the others
    pongs_stopped_until: float = 0.0  # time.monotonic() until which pings go unanswered
    skip_level2: dict[str, int] = field(default_factory=dict)  # symbol -> messages to drop
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self) -> None:
        # Seeded, so a drill with a fail rate is the same run after run.
        self._rng = random.Random(self.seed)

    def take_failure(self) -> bool:
        """Should this REST request be answered with 503? Counts it when so."""
        if self.fail_next > 0:
            self.fail_next -= 1
        elif not (self.fail_rate > 0 and self._rng.random() < self.fail_rate):
            return False
        self.counters.http_503_sent += 1
        return True

    def pongs_stopped(self) -> bool:
        return time.monotonic() < self.pongs_stopped_until

    def take_level2_skip(self, symbol: str) -> bool:
        """Should this level2 message of ``symbol`` be lost on its way to every client?"""
        left = self.skip_level2.get(symbol, 0)
        if left <= 0:
            return False
        if left == 1:
            del self.skip_level2[symbol]
        else:
            self.skip_level2[symbol] = left - 1
        self.counters.sequences_skipped += 1
        return True
