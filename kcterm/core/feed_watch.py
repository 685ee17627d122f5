"""Is a market feed silent for longer than usual? Then the prices on screen are not the market.

Each feed learns its own cadence (a smoothed gap between messages): a busy book that pauses
for two seconds is suspicious, a quiet contract that does is not. The feed is stale once its
silence exceeds several usual gaps, and never before a floor, so ordinary jitter stays quiet.
"""

from __future__ import annotations

STALE_FACTOR = 5.0  # silence of this many usual gaps
STALE_FLOOR_S = 3.0  # ...but never less than this
STALE_CEILING_S = 30.0  # ...and never more: half a minute of nothing is stale anywhere
SMOOTHING = 0.1  # weight of the newest gap in the running cadence


class FeedWatch:
    def __init__(self) -> None:
        self.last_monotonic: float | None = None
        self.cadence_s: float | None = None  # smoothed gap between messages
        self.messages = 0

    def on_message(self, now: float) -> None:
        if self.last_monotonic is not None:
            gap = max(0.0, now - self.last_monotonic)
            if self.cadence_s is None:
                self.cadence_s = gap
            else:
                self.cadence_s += SMOOTHING * (gap - self.cadence_s)
        self.last_monotonic = now
        self.messages += 1

    def stale_after(self) -> float:
        usual = self.cadence_s if self.cadence_s is not None else STALE_CEILING_S
        return min(STALE_CEILING_S, max(STALE_FLOOR_S, STALE_FACTOR * usual))

    def stale(self, now: float) -> bool:
        if self.last_monotonic is None:
            return True  # nothing yet: nothing to trust
        return now - self.last_monotonic > self.stale_after()

    def silence(self, now: float) -> float | None:
        return None if self.last_monotonic is None else now - self.last_monotonic
