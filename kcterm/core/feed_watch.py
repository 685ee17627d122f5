"""Is a market feed silent for longer than usual? Then the prices on screen are not the market.

Each feed learns its own cadence (a smoothed gap between messages): a busy book that pauses
for two seconds is suspicious, a quiet contract that does is not. The feed is stale once its
silence exceeds several usual gaps, and never before a floor, so ordinary jitter stays quiet.

A snapshot of the book (REST, after a subscribe or a resync) is data too: from it the panels
show the market, and the silence is counted from it until the stream's first change comes
(issue 14: the first frame need not wait for the exchange's next step). It teaches the cadence
nothing, that is the stream's own rhythm; a snapshot that no message of the stream has
followed yet is stale after the floor.

What a message costs (issue 14: a book feed speaks thousands of times a second): the hot path
(core.book's `change`) writes only the time of the message (`last_monotonic`, one clock read)
and counts it (`messages`); nothing else. The cadence is learnt from those two when it is
read (`cadence_s`, `stale`, `stale_after`, `silence`): the messages since the last reading and
the time between their last ones give the mean gap over them, folded into the running cadence
with the weight those many gaps would have had one by one (1 - 0.9**k; one gap: 0.1, as
before). Staleness stays exact (the last message's own time); the cadence is the same figure
for a steady feed and a smoothed one for a bursty feed, read at the panels' 4 Hz or at once.
"""

from __future__ import annotations

STALE_FACTOR = 5.0  # silence of this many usual gaps
STALE_FLOOR_S = 3.0  # ...but never less than this
STALE_CEILING_S = 30.0  # ...and never more: half a minute of nothing is stale anywhere
SMOOTHING = 0.1  # weight of the newest gap in the running cadence


_KEPT = 1.0 - SMOOTHING


class FeedWatch:
    """`started`: when the feed was asked for (a monotonic time), counted as the gap before
    its first message when that message is read in a batch with others (a book's feed);
    None: the first message has no gap before it (on_message, one message at a time)."""

    def __init__(self, started: float | None = None) -> None:
        self.last_monotonic: float | None = None  # the stream's last message
        self.snapshot_monotonic: float | None = None  # the book's last snapshot
        self.messages = 0  # messages heard (the hot path writes these two, nothing else)
        self._cadence: float | None = None  # smoothed gap, up to message `_folded`
        self._folded = 0  # messages whose gaps the cadence has learnt
        self._folded_at = started  # the time of message number `_folded` (0: the start)

    def on_message(self, now: float) -> None:
        self.last_monotonic = now
        self.messages += 1
        self._fold()

    @property
    def cadence_s(self) -> float | None:
        """The smoothed gap between messages (None before the first gap is known)."""
        self._fold()
        return self._cadence

    def _fold(self) -> None:
        """Teach the cadence the messages heard since it last learnt (see the module)."""
        last = self.last_monotonic
        gaps = self.messages - self._folded
        if not gaps or last is None:
            return
        before = self._folded_at
        self._folded, self._folded_at = self.messages, last
        if before is None:
            return  # the first message(s), with no start to count from: learn from the next
        mean = max(0.0, last - before) / gaps
        if self._cadence is None:
            self._cadence = mean
        else:
            weight = SMOOTHING if gaps == 1 else 1.0 - _KEPT**gaps
            self._cadence += weight * (mean - self._cadence)

    def on_snapshot(self, now: float) -> None:
        self.snapshot_monotonic = now

    def _last_data(self) -> float | None:
        last, snapshot = self.last_monotonic, self.snapshot_monotonic
        if last is None or snapshot is None:
            return last if snapshot is None else snapshot
        return max(last, snapshot)

    def stale_after(self) -> float:
        cadence = self.cadence_s
        usual = cadence if cadence is not None else STALE_CEILING_S
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
