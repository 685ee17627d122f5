"""Candles: bucket arithmetic for every kline granularity, and the 1-minute candles built from
the exchange's own trades.

Prices are whole numbers of a unit (the contract's tick, the index tick, 1e-6 for a premium), so
aggregating never rounds. Live candles are continuous: each one opens at the previous close and
a minute without trades is flat at that close, so a chart has no holes and no jumps between bars.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import UTC, datetime

MINUTE = 60_000
DAY = 1_440 * MINUTE
WEEK = 7 * DAY
MONDAY = 4 * DAY  # 1970-01-01 was a Thursday: weeks start on Mondays, 00:00 UTC
MONTH = 43_200  # a pseudo-granularity (minutes) for calendar months; never a REST value

REST_GRANULARITIES = (1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 10080)  # spec/REFERENCE.md 7.6
WS_TYPES = {  # spec/REFERENCE.md 8.2: the {type} of /contractMarket/limitCandle:{symbol}_{type}
    "1min": 1,
    "3min": 3,
    "5min": 5,
    "15min": 15,
    "30min": 30,
    "1hour": 60,
    "2hour": 120,
    "4hour": 240,
    "8hour": 480,
    "12hour": 720,
    "1day": 1440,
    "1week": 10080,
    "1month": MONTH,
}


def bucket_start(granularity: int, t_ms: int) -> int:
    """Start of the bucket holding ``t_ms``: epoch-aligned up to a day, Monday-aligned weeks,
    calendar months."""
    if granularity == MONTH:
        day = datetime.fromtimestamp(t_ms // 1000, UTC)
        return int(datetime(day.year, day.month, 1, tzinfo=UTC).timestamp()) * 1000
    if granularity == 10080:
        return t_ms - (t_ms - MONDAY) % WEEK
    size = granularity * MINUTE
    return t_ms - t_ms % size


def bucket_end(granularity: int, start_ms: int) -> int:
    if granularity == MONTH:
        day = datetime.fromtimestamp(start_ms // 1000, UTC)
        return start_ms + monthrange(day.year, day.month)[1] * DAY
    return start_ms + granularity * MINUTE


class Candle:
    """One bar. ``open``..``close`` in price units, ``volume`` in lots, ``turnover`` in quote."""

    __slots__ = ("close", "high", "low", "open", "start", "turnover", "volume")

    def __init__(
        self,
        start: int,
        open_: int,
        high: int,
        low: int,
        close: int,
        volume: int = 0,
        turnover: float = 0.0,
    ) -> None:
        self.start = start
        self.open = open_
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.turnover = turnover

    def key(self) -> tuple[int, int, int, int, int, int]:
        """What a subscriber sees change (turnover follows volume)."""
        return (self.start, self.open, self.high, self.low, self.close, self.volume)

    def __repr__(self) -> str:
        return (
            f"Candle({self.start}, o={self.open}, h={self.high}, l={self.low}, c={self.close}, "
            f"v={self.volume})"
        )


def merge(start: int, parts: Iterable[Candle | None]) -> Candle | None:
    """One candle from consecutive ones: first open, last close, extremes, summed volume."""
    out: Candle | None = None
    for part in parts:
        if part is None:
            continue
        if out is None:
            out = Candle(
                start, part.open, part.high, part.low, part.close, part.volume, part.turnover
            )
            continue
        out.high = max(out.high, part.high)
        out.low = min(out.low, part.low)
        out.close = part.close
        out.volume += part.volume
        out.turnover += part.turnover
    return out


class LiveCandles:
    """1-minute candles from ``first_ms`` (a minute boundary) on, opening at ``open_price``."""

    def __init__(self, first_ms: int, open_price: int) -> None:
        self.first_ms = first_ms - first_ms % MINUTE
        self.minutes: list[Candle] = []
        self._close = open_price
        # The running aggregate of the closed minutes of the bucket a feed is watching, so the
        # current month candle costs one merge per new minute, not one per minute of the month.
        self._running: dict[int, tuple[int, int, Candle | None]] = {}

    @property
    def last_close(self) -> int:
        return self._close

    def add(self, ts_ms: int, price: int, size: int, turnover: float) -> None:
        """A trade (or an index sample with size 0). A clock set back lands in the last minute:
        candles never reopen."""
        index = max((ts_ms - self.first_ms) // MINUTE, len(self.minutes) - 1, 0)
        self._extend(index)
        bar = self.minutes[index]
        if price > bar.high:
            bar.high = price
        if price < bar.low:
            bar.low = price
        bar.close = self._close = price
        bar.volume += size
        bar.turnover += turnover

    def extend_to(self, now_ms: int) -> None:
        """Add the flat minutes up to the one holding ``now_ms``."""
        if now_ms >= self.first_ms:
            self._extend((now_ms - self.first_ms) // MINUTE)

    def _extend(self, index: int) -> None:
        minutes = self.minutes
        close = self._close
        start = self.first_ms + len(minutes) * MINUTE
        while len(minutes) <= index:
            minutes.append(Candle(start, close, close, close, close))
            start += MINUTE

    def span(self, start_ms: int, end_ms: int) -> Candle | None:
        """The minutes in [start_ms, end_ms) merged, or None when none exists yet."""
        lo = max(0, (start_ms - self.first_ms + MINUTE - 1) // MINUTE)
        hi = min(len(self.minutes), (end_ms - self.first_ms + MINUTE - 1) // MINUTE)
        if lo >= hi:
            return None
        return merge(self.minutes[lo].start, self.minutes[lo:hi])

    def current(self, granularity: int, start_ms: int) -> Candle | None:
        """The live part of the bucket starting at ``start_ms``, up to the latest minute; the
        closed minutes are merged once and remembered."""
        last = len(self.minutes) - 1
        if last < 0:
            return None
        lo = max(0, (start_ms - self.first_ms) // MINUTE)
        cached = self._running.get(granularity)
        if cached is None or cached[0] != start_ms:
            cached = (start_ms, lo, None)
        _, done, closed = cached
        if done < last:
            closed = merge(self.minutes[done].start, [closed, *self.minutes[done:last]])
            done = last
        self._running[granularity] = (start_ms, done, closed)
        if last < lo:
            return None
        return merge(self.minutes[lo].start, [closed, self.minutes[last]])
