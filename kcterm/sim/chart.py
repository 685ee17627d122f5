"""One price's candles for any granularity: the seeded history up to the exchange's first minute
joined to the live minutes after it. The bucket holding the first minute takes its open, high
and low from both sides, so history and live meet without a gap (spec/REFERENCE.md 7.6 and 8.2)."""

from __future__ import annotations

from decimal import Decimal

from kcterm.sim.candles import Candle, LiveCandles, bucket_end, bucket_start, merge
from kcterm.sim.history import SeededHistory

MAX_ROWS = 500  # spec/REFERENCE.md 7.6: at most 500 rows per call


class ChartSeries:
    def __init__(
        self,
        live: LiveCandles,
        history: SeededHistory | None,
        unit: Decimal,
        multiplier: Decimal = Decimal(0),
    ) -> None:
        self.live = live
        self.history = history
        self.unit = unit
        self._unit = float(unit)
        self._multiplier = float(multiplier)

    @property
    def first_ms(self) -> int:
        """The oldest instant with candles."""
        return self.history.start_ms if self.history is not None else self.live.first_ms

    def bucket(self, granularity: int, start_ms: int, now_ms: int) -> Candle | None:
        """The candle of the bucket starting at ``start_ms`` as it stands at ``now_ms``."""
        return self.window(start_ms, bucket_end(granularity, start_ms), now_ms)

    def window(self, start_ms: int, end_ms: int, now_ms: int) -> Candle | None:
        """Everything in [start_ms, end_ms) as one candle (a bucket, or a rolling 24 h)."""
        self.live.extend_to(now_ms)
        seam = self.live.first_ms
        old = None
        if self.history is not None and start_ms < seam:
            old = self.history.span(start_ms, min(end_ms, seam), self._unit, self._multiplier)
        new = self.live.span(max(start_ms, seam), end_ms) if end_ms > seam else None
        return merge(start_ms, (old, new))

    def current(self, granularity: int, now_ms: int) -> Candle | None:
        """The bucket holding ``now_ms`` (for the candle feed: live minutes merged once)."""
        self.live.extend_to(now_ms)
        start = bucket_start(granularity, now_ms)
        seam = self.live.first_ms
        old = None
        if self.history is not None and start < seam:
            old = self.history.span(start, seam, self._unit, self._multiplier)
        return merge(start, (old, self.live.current(granularity, start)))

    def rows(
        self,
        granularity: int,
        from_ms: int | None,
        to_ms: int | None,
        now_ms: int,
        limit: int = MAX_ROWS,
    ) -> list[Candle]:
        """Candles whose bucket starts in [bucket of from, to], oldest first, at most ``limit``:
        the first ones from ``from`` on (KuCoin pages forward from ``from``), or without
        ``from`` the last ones up to ``to``."""
        end = now_ms if to_ms is None else min(to_ms, now_ms)
        first = bucket_start(granularity, self.first_ms)
        out: list[Candle] = []
        if from_ms is not None:
            start = max(bucket_start(granularity, max(from_ms, 0)), first)
            while start <= end and len(out) < limit:
                candle = self.bucket(granularity, start, now_ms)
                if candle is not None:
                    out.append(candle)
                start = bucket_end(granularity, start)
            return out
        start = bucket_start(granularity, max(end, 0))
        while start >= first and len(out) < limit:
            candle = self.bucket(granularity, start, now_ms)
            if candle is not None:
                out.append(candle)
            start = bucket_start(granularity, start - 1)
        out.reverse()
        return out
