"""The matching book of one contract: price levels in integer ticks, FIFO queues per level.

Cancels are lazy (an order with nothing left is skipped when it reaches the front), so both a
cancel and a fill cost O(1) plus O(log n) when a level appears or empties. Every change of a
level's displayed size is reported through ``on_level``: that is what the level2 feed sends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Protocol

from sortedcontainers import SortedDict

LevelListener = Callable[[str, int, int], None]  # side ("buy"/"sell"), tick, displayed size


class Resting(Protocol):
    side: str
    tick: int
    shown: int  # what the book displays of it: 0 hidden, the tip of an iceberg, or all

    @property
    def remaining(self) -> int: ...


class Level:
    __slots__ = ("displayed", "queue", "tick", "volume")

    def __init__(self, tick: int) -> None:
        self.tick = tick
        self.displayed = 0  # what the level2 feed shows (hidden orders are not counted)
        self.volume = 0  # everything that can still trade here, hidden included
        self.queue: deque[Resting] = deque()


class MatchingBook:
    def __init__(self, on_level: LevelListener) -> None:
        self._on_level = on_level
        self._bids: SortedDict = SortedDict()  # key -tick: best (highest) bid first
        self._asks: SortedDict = SortedDict()  # key tick: best (lowest) ask first

    def _side(self, side: str) -> SortedDict:
        return self._bids if side == "buy" else self._asks

    @staticmethod
    def _key(side: str, tick: int) -> int:
        return -tick if side == "buy" else tick

    # -- resting orders ------------------------------------------------------------------

    def add(self, order: Resting) -> None:
        levels = self._side(order.side)
        key = self._key(order.side, order.tick)
        level = levels.get(key)
        if level is None:
            level = levels[key] = Level(order.tick)
        level.queue.append(order)
        level.volume += order.remaining
        self._change(order.side, level, order.shown)

    def reduce(self, order: Resting, qty: int, shown: int) -> None:
        """Take ``qty`` off a resting order's level, ``shown`` of it displayed (a fill or a
        cancel); call this *before* the order's own counters drop."""
        levels = self._side(order.side)
        key = self._key(order.side, order.tick)
        level = levels.get(key)
        if level is None:
            return
        level.volume -= qty
        self._change(order.side, level, -shown)
        if order.remaining - qty <= 0 and level.queue and level.queue[0] is order:
            level.queue.popleft()
        if level.volume <= 0:
            del levels[key]

    def requeue(self, order: Resting, shown: int) -> None:
        """An iceberg whose tip was taken shows its next tip at the back of the queue (it
        loses time priority, as on every exchange); the order is at the front now."""
        level = self._side(order.side).get(self._key(order.side, order.tick))
        if level is None:
            return
        if level.queue and level.queue[0] is order:
            level.queue.popleft()
        level.queue.append(order)
        self._change(order.side, level, shown)

    def best_maker(self, side: str) -> Resting | None:
        """The first live order of the best level on ``side`` (dead ones are discarded)."""
        levels = self._side(side)
        while levels:
            key, level = levels.peekitem(0)
            queue: deque[Resting] = level.queue  # SortedDict is untyped: say what it holds
            while queue and queue[0].remaining <= 0:
                queue.popleft()
            if queue:
                return queue[0]
            del levels[key]
        return None

    def _change(self, side: str, level: Level, delta: int) -> None:
        if delta:
            level.displayed += delta
            self._on_level(side, level.tick, level.displayed)

    # -- queries ---------------------------------------------------------------------------

    def best_tick(self, side: str) -> int | None:
        for tick, _ in self.depth(side, 1):
            return tick
        return None

    def depth(self, side: str, limit: int | None = None) -> list[tuple[int, int]]:
        """Displayed levels, best first: [(tick, size)]."""
        out: list[tuple[int, int]] = []
        for level in self._levels(side):
            if level.displayed > 0:
                out.append((level.tick, level.displayed))
                if limit is not None and len(out) >= limit:
                    break
        return out

    def _levels(self, side: str) -> Iterator[Level]:
        return iter(self._side(side).values())

    def orders_at(self, side: str, tick: int) -> list[Resting]:
        level = self._side(side).get(self._key(side, tick))
        return [o for o in level.queue if o.remaining > 0] if level else []
