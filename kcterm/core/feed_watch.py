"""Is a market feed silent for longer than usual? Then the prices on screen are not the market.

Each feed learns its own cadence (a smoothed gap between messages): a busy book that pauses
for two seconds is suspicious, a quiet contract that does is not. The feed is stale once its
silence exceeds several usual gaps, and never before a floor, so ordinary jitter stays quiet.

A snapshot of the book (REST, after a subscribe or a resync) is data too: from it the panels
show the market, and the silence is counted from it until the stream's first change comes
(issue 14: the first frame need not wait for the exchange's next step). It teaches the cadence
nothing, that is the stream's own rhythm; a snapshot that no message of the stream has
followed yet is stale after the floor.
"""

from __future__ import annotations

STALE_FACTOR = 5.0  # silence of this many usual gaps
STALE_FLOOR_S = 3.0  # ...but never less than this
STALE_CEILING_S = 30.0  # ...and never more: half a minute of nothing is stale anywhere
SMOOTHING = 0.1  # weight of the newest gap in the running cadence


class FeedWatch:
    def __init__(self) -> None:
        self.last_monotonic: float | None = None  # the stream's last message
        self.snapshot_monotonic: float | None = None  # the book's last snapshot
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

    def on_snapshot(self, now: float) -> None:
        self.snapshot_monotonic = now

    def _last_data(self) -> float | None:
        last, snapshot = self.last_monotonic, self.snapshot_monotonic
        if last is None or snapshot is None:
            return last if snapshot is None else snapshot
        return max(last, snapshot)

    def stale_after(self) -> float:
        usual = self.cadence_s if self.cadence_s is not None else STALE_CEILING_S
        return min(STALE_CEILING_S, max(STALE_FLOOR_S, STALE_FACTOR * usual))

    def stale(self, now: float) -> bool:
        last = self._last_data()
        if last is None:
            return True  # nothing yet: nothing to trust
        if self.last_monotonic is None:  # a snapshot, and not one message of the stream since
            return now - last > STALE_FLOOR_S
        return now - last > self.stale_after()

    def silence(self, now: float) -> float | None:
        last = self._last_data()
        return None if last is None else now - last
