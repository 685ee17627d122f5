"""Time series of index, mark, premium and funding values, and KuCoin's "hasMore" paging over
them (spec/REFERENCE.md 7.7: startAt, endAt, reverse, offset, forward, maxCount).

Paging as served here (the spec names the parameters but not their interplay): ``reverse``
(default true) lists newest first; ``offset`` is the ``timePoint`` of the last item of the
previous page and is excluded; ``forward`` (default true) continues past it in the listing's
direction, false walks back the other way. ``hasMore`` says whether that walk has more items.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


class PointLog(Generic[V]):
    """Values at increasing times, the oldest dropped past ``cap`` (trimmed in batches)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.times: list[int] = []
        self.values: list[V] = []

    def __len__(self) -> int:
        return len(self.times)

    def add(self, t_ms: int, value: V) -> None:
        if self.times and t_ms <= self.times[-1]:  # same instant again (or a clock set back)
            self.values[-1] = value
            return
        self.times.append(t_ms)
        self.values.append(value)
        if len(self.times) > 2 * self.cap:
            del self.times[: -self.cap]
            del self.values[: -self.cap]

    def last(self) -> tuple[int, V] | None:
        return (self.times[-1], self.values[-1]) if self.times else None

    def between(self, start_ms: int, end_ms: int) -> list[tuple[int, V]]:
        """Points with start_ms <= t <= end_ms, oldest first."""
        lo = bisect.bisect_left(self.times, start_ms)
        hi = bisect.bisect_right(self.times, end_ms)
        return list(zip(self.times[lo:hi], self.values[lo:hi], strict=True))


@dataclass(frozen=True)
class PageRequest:
    start_at: int | None = None
    end_at: int | None = None
    reverse: bool = True
    offset: int | None = None
    forward: bool = True
    max_count: int = 10


class Timeline(Generic[V]):
    """What paging needs: ``count`` points at increasing times, reachable by index."""

    def __init__(
        self, count: int, time_at: Callable[[int], int], value_at: Callable[[int], V]
    ) -> None:
        self.count = count
        self.time_at = time_at
        self.value_at = value_at

    @classmethod
    def of_log(cls, log: PointLog[V]) -> Timeline[V]:
        return cls(len(log.times), log.times.__getitem__, log.values.__getitem__)

    @classmethod
    def regular(cls, first_ms: int, step_ms: int, last_ms: int, value: V) -> Timeline[V]:
        """Points every ``step_ms`` from ``first_ms`` to ``last_ms`` (synthetic constants)."""
        count = max(0, (last_ms - first_ms) // step_ms + 1)
        return cls(count, lambda i: first_ms + i * step_ms, lambda i: value)

    def index_left(self, t_ms: int) -> int:
        """First index whose time is >= t_ms."""
        lo, hi = 0, self.count
        while lo < hi:
            mid = (lo + hi) // 2
            if self.time_at(mid) < t_ms:
                lo = mid + 1
            else:
                hi = mid
        return lo


def page(timeline: Timeline[V], req: PageRequest) -> tuple[list[tuple[int, V]], bool]:
    """One page of (time, value) in the requested order, and whether more lie beyond it."""
    lo = 0 if req.start_at is None else timeline.index_left(req.start_at)
    hi = timeline.count if req.end_at is None else timeline.index_left(req.end_at + 1)
    backwards = req.reverse == req.forward  # walking towards older points
    if req.offset is not None:
        if backwards:
            hi = min(hi, timeline.index_left(req.offset))
        else:
            lo = max(lo, timeline.index_left(req.offset + 1))
    available = max(0, hi - lo)
    take = min(available, req.max_count)
    indices = range(hi - take, hi) if backwards else range(lo, lo + take)
    items = [(timeline.time_at(i), timeline.value_at(i)) for i in indices]
    if req.reverse:
        items.reverse()
    return items, available > take
