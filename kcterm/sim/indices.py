"""Index, mark and premium of one contract over time (spec/REFERENCE.md 7.7).

The mark is the index times (1 + basis), the basis a seeded mean-reverting walk of a few basis
points (the futures premium of a real perpetual), advanced once per market step: one Gaussian
draw and one multiplication, so a fast market pays almost nothing for it. Once a second the
feeds sample index, mark and premium: the points behind /index/query and /premium/query, the
live index and premium candles, and the premium average that sets the funding rate.
"""

from __future__ import annotations

import math
import random
import zlib
from decimal import Decimal

from kcterm.sim.candles import MINUTE, LiveCandles
from kcterm.sim.points import PointLog

PREMIUM_UNIT = Decimal("0.000001")  # premium candles count in millionths
BASIS_MEAN = 0.0
BASIS_SD = 0.00015  # the stationary spread of the basis
BASIS_HALF_LIFE_STEPS = 9_000  # about 30 minutes at 5 steps a second


class IndexTrack:
    def __init__(
        self, symbol: str, seed: int, start_ms: int, index: Decimal, index_tick: Decimal
    ) -> None:
        self._rng = random.Random(seed * 1_000_003 + zlib.crc32(symbol.encode()))
        self._theta = math.log(2) / BASIS_HALF_LIFE_STEPS
        self._noise = BASIS_SD * math.sqrt(2 * self._theta)
        self.basis = 0.0
        self.index_tick = index_tick
        self.index_points: PointLog[float] = PointLog(6 * 3_600)  # 1 s points, 6 h kept
        self.premium_points: PointLog[float] = PointLog(7 * 1_440)  # 1 min points, 7 days kept
        self.index_candles = LiveCandles(start_ms, int(index / index_tick))
        self.premium_candles = LiveCandles(start_ms, 0)
        self._minute = start_ms // MINUTE
        self._minute_sum = 0.0
        self._minute_count = 0

    def mark_for(self, index: Decimal) -> Decimal:
        """One market step: move the basis and price the mark on the index tick."""
        self.basis += self._theta * (BASIS_MEAN - self.basis) + self._noise * self._rng.gauss(0, 1)
        step = self.index_tick
        return step * round(Decimal(repr(float(index) * (1.0 + self.basis))) / step)

    def sample(self, now_ms: int, index: Decimal, mark: Decimal) -> float:
        """The once-a-second sample; returns the premium it recorded."""
        second = now_ms - now_ms % 1000
        value = float(index)
        premium = round((float(mark) - value) / value, 6) if value else 0.0
        self.index_points.add(second, value)
        self.index_candles.add(second, int(index / self.index_tick), 0, 0.0)
        self.premium_candles.add(second, round(premium * 1_000_000), 0, 0.0)
        minute = now_ms // MINUTE
        if minute != self._minute and self._minute_count:
            average = round(self._minute_sum / self._minute_count, 6)
            self.premium_points.add(self._minute * MINUTE, average)
            self._minute_sum, self._minute_count = 0.0, 0
        self._minute = minute
        self._minute_sum += premium
        self._minute_count += 1
        return premium
