"""Price history from before the exchange started, drawn from the seed, so a chart opened on the
first second already has years of candles behind the live ones.

The path is built top-down. Weekly candles come from a random walk run backwards from the anchor
(the contract's start price at the minute the exchange started). Each candle is split into its
children (week -> days -> 8 h -> 4 h -> 2 h -> 1 h -> 30 min -> 15 min -> 5 min -> 1 min) by a
Brownian bridge from its open to its close, kept inside its high and low; one child reaches the
high and one the low. So every granularity agrees with every other exactly (a day's high is the
highest of its minutes) and a query only generates the nodes it touches: a 500-day daily chart
costs about 72 weekly splits, a 500-minute one about 170 small ones.

Every node draws from its own generator keyed by (seed, symbol, level, start), so any candle can
be produced alone and in any order, always the same.
"""

from __future__ import annotations

import itertools
import math
import random
import zlib
from collections import OrderedDict
from typing import NamedTuple

from kcterm.sim.candles import MINUTE, MONDAY, WEEK, Candle, merge

# The contracts' firstOpenDate (contract_view.LISTED_MS, a test keeps them equal); history
# starts on the first Monday after it so every weekly node is whole at the old end.
FIRST_OPEN_MS = 1_585_555_200_000
HISTORY_START_MS = FIRST_OPEN_MS + (MONDAY - FIRST_OPEN_MS) % WEEK
LEVELS = (10_080, 1_440, 480, 240, 120, 60, 30, 15, 5, 1)  # minutes; each divides the previous
_MASK = (1 << 64) - 1
_CACHE_NODES = 8_192  # splits remembered: a day of minutes is about 300


class Node(NamedTuple):
    """A candle in log price, with the volatility its children are drawn with."""

    start: int
    end: int  # exclusive; the node holding the anchor ends at it
    open: float
    high: float
    low: float
    close: float
    volume: int
    sigma: float  # log-price standard deviation per sqrt(ms)


class SeededHistory:
    def __init__(
        self,
        seed: int,
        symbol: str,
        anchor_ms: int,
        anchor_price: float,
        sigma_per_sqrt_ms: float,
        lots_per_minute: float = 5_000.0,
    ) -> None:
        self.anchor_ms = anchor_ms - anchor_ms % MINUTE  # history ends at a minute boundary
        self.start_ms = min(HISTORY_START_MS, self.anchor_ms)
        self._seed = seed
        self._symbol = zlib.crc32(symbol.encode())
        self._sigma = sigma_per_sqrt_ms
        self._lots = lots_per_minute
        self._splits: OrderedDict[tuple[int, int], list[Node]] = OrderedDict()
        # Walked at the first query, not here: the exchange configures every contract twice
        # before it listens (SymbolMarket, then its seed), and an app waits for that boot. The
        # walk runs backwards from the anchor and each week draws from its own generator, so
        # it goes only as far back as a query reaches: the rolling 24 h figures of every
        # contract, which the exchange computes as it boots, need a week or two of them,
        # not the ~350 since HISTORY_START_MS.
        self._anchor_log = math.log(anchor_price)
        self._last_week = (self.anchor_ms - 1) - (self.anchor_ms - 1 - MONDAY) % WEEK
        self._week_count = max(0, (self._last_week - self.start_ms) // WEEK + 1)
        self._newest_first: list[Node] = []  # walked so far, from the anchor backwards

    # -- queries -----------------------------------------------------------------------------

    def span(self, start_ms: int, end_ms: int, unit: float, multiplier: float) -> Candle | None:
        """History in [start_ms, end_ms) as one candle in price units, or None if none exists.
        The range is covered greedily by the largest aligned nodes, so any bucket (12 h, a
        month, a rolling 24 h) costs a handful of nodes."""
        t = max(start_ms, self.start_ms)
        t += (-t) % MINUTE
        end = min(end_ms, self.anchor_ms)
        parts: list[Candle] = []
        while t < end:
            for level, minutes in enumerate(LEVELS):
                size = minutes * MINUTE
                aligned = (t - MONDAY) % WEEK == 0 if level == 0 else t % size == 0
                if aligned and min(t + size, self.anchor_ms) <= end:
                    node = self.node(level, t)
                    if node is not None:
                        parts.append(self._candle(node, unit, multiplier))
                    t += size
                    break
            else:  # less than a minute left
                break
        return merge(parts[0].start, parts) if parts else None

    def node(self, level: int, start_ms: int) -> Node | None:
        """The node of ``LEVELS[level]`` starting at ``start_ms`` (aligned), if it exists."""
        if start_ms < self.start_ms or start_ms >= self.anchor_ms:
            return None
        if level == 0:
            index = (start_ms - self.start_ms) // WEEK
            return self._week(index) if index < self._week_count else None
        parent_size = LEVELS[level - 1] * MINUTE
        base = MONDAY if level == 1 else 0
        parent_start = start_ms - (start_ms - base) % parent_size
        parent = self.node(level - 1, parent_start)
        if parent is None:
            return None
        children = self._children(level, parent)
        index = (start_ms - parent_start) // (LEVELS[level] * MINUTE)
        return children[index] if index < len(children) else None

    @staticmethod
    def _candle(node: Node, unit: float, multiplier: float) -> Candle:
        o, h, lo, c = (
            round(math.exp(x) / unit) for x in (node.open, node.high, node.low, node.close)
        )
        typical = (o + h + lo + c) / 4 * unit
        if multiplier < 0:  # inverse: turnover in the coin
            turnover = node.volume * -multiplier / typical if typical else 0.0
        else:
            turnover = node.volume * multiplier * typical
        return Candle(node.start, o, h, lo, c, node.volume, turnover)

    # -- generation ------------------------------------------------------------------------

    def _rng(self, level: int, start_ms: int) -> random.Random:
        key = self._seed * 0x9E3779B97F4A7C15 + self._symbol * 0xBF58476D1CE4E5B9
        key = (key + level * 0x94D049BB133111EB + start_ms) & _MASK
        return random.Random(key)

    def _week(self, index: int) -> Node:
        """The weekly node `index` weeks after HISTORY_START_MS (index < _week_count), the walk
        extended backwards from the anchor as far as it."""
        back = self._week_count - 1 - index
        walked = self._newest_first
        if back >= len(walked):
            self._walk_back(back + 1 - len(walked))
        return walked[back]

    def _walk_back(self, weeks: int) -> None:
        """`weeks` more weekly nodes, older than those walked, each from its own generator."""
        walked = self._newest_first
        close = walked[-1].open if walked else self._anchor_log
        start = self._last_week - len(walked) * WEEK
        for _ in range(weeks):
            end = min(start + WEEK, self.anchor_ms)
            rng = self._rng(0, start)
            sigma = self._sigma * min(2.5, max(0.4, rng.lognormvariate(0, 0.35)))
            spread = sigma * math.sqrt(end - start)
            open_ = close - spread * rng.gauss(0, 1)
            high = max(open_, close) + spread * (0.3 + 0.5 * abs(rng.gauss(0, 1)))
            low = min(open_, close) - spread * (0.3 + 0.5 * abs(rng.gauss(0, 1)))
            minutes = (end - start) // MINUTE
            volume = int(self._lots * minutes * rng.lognormvariate(0, 0.25) * sigma / self._sigma)
            walked.append(Node(start, end, open_, high, low, close, volume, sigma))
            close = open_
            start -= WEEK

    def _children(self, level: int, parent: Node) -> list[Node]:
        key = (level, parent.start)
        cached = self._splits.get(key)
        if cached is not None:
            self._splits.move_to_end(key)
            return cached
        children = self._split(level, parent)
        self._splits[key] = children
        if len(self._splits) > _CACHE_NODES:
            self._splits.popitem(last=False)
        return children

    def _split(self, level: int, parent: Node) -> list[Node]:
        rng = self._rng(level, parent.start)
        size = LEVELS[level] * MINUTE
        starts = list(range(parent.start, parent.end, size))
        ends = [*starts[1:], parent.end]
        sigma = parent.sigma
        if level == 1:  # days vary in calmness within a week
            sigma *= min(2.0, max(0.5, rng.lognormvariate(0, 0.25)))
        if len(starts) == 1:
            return [parent._replace(sigma=sigma)]
        high, low = parent.high, parent.low
        # Boundary values: a Brownian bridge from open to close through the parent's high and
        # low, each pinned to a boundary between two children (one drawn at random) unless
        # the open or the close is it already. Left free, the bridge rarely came near them,
        # and the child given the high (or low) drew a wick of the whole distance, level
        # after level down to one minute: a spike of a week's range in a single minute
        # candle, on every chart.
        boundaries = list(range(1, len(starts)))  # points[i] is the price at starts[i]
        pins: dict[int, float] = {}
        for extreme, reached in (
            (high, max(parent.open, parent.close) >= high),
            (low, min(parent.open, parent.close) <= low),
        ):
            free = [i for i in boundaries if i not in pins]
            if not reached and free:
                pins[rng.choice(free)] = extreme
        times = [*starts, parent.end]
        pins[len(starts)] = parent.close
        points = [parent.open]
        for i in boundaries:
            if i in pins:
                points.append(pins[i])
                continue
            target = min(k for k in pins if k > i)  # the next pinned boundary
            t_prev, t, t_target = times[i - 1], times[i], times[target]
            left = t_target - t_prev
            mean = points[-1] + (pins[target] - points[-1]) * (t - t_prev) / left
            value = mean + sigma * math.sqrt((t - t_prev) * (t_target - t) / left) * rng.gauss(0, 1)
            if value > high:
                value = high - (value - high)
            if value < low:
                value = low + (low - value)
            points.append(min(high, max(low, value)))
        points.append(parent.close)
        pairs = list(itertools.pairwise(points))
        top = max(range(len(pairs)), key=lambda i: max(pairs[i]))
        bottom = min(range(len(pairs)), key=lambda i: min(pairs[i]))
        weights = [(e - s) * rng.lognormvariate(0, 0.45) for s, e in zip(starts, ends, strict=True)]
        volumes = _split_whole(parent.volume, weights)
        out = []
        for i, ((o, c), s, e) in enumerate(zip(pairs, starts, ends, strict=True)):
            wick = sigma * math.sqrt(e - s) * 0.4
            h = high if i == top else min(high, max(o, c) + wick * abs(rng.gauss(0, 1)))
            lo = low if i == bottom else max(low, min(o, c) - wick * abs(rng.gauss(0, 1)))
            out.append(Node(s, e, o, h, lo, c, volumes[i], sigma))
        return out


def _split_whole(total: int, weights: list[float]) -> list[int]:
    """``total`` shared in proportion to ``weights``, in whole lots summing exactly to it."""
    scale = total / (sum(weights) or 1.0)
    shares = [w * scale for w in weights]
    out = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: out[i] - shares[i])
    for i in by_remainder[: total - sum(out)]:
        out[i] += 1
    return out
