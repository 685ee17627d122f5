"""Client-side rate limiting per resource pool (spec/REFERENCE.md 6.1), so a busy desk
never trips 429.

Each pool's quota, remaining budget and window are learnt from the ``gw-ratelimit-*`` headers
of the replies. Before the first reply nothing is known, so nothing is assumed generous: one
request goes first and the others wait for its reply, whose headers tell the real quota; should
it end without headers (a timeout, a proxy's 503), the pool is run on the documented VIP0 quota
(spec/REFERENCE.md 6.1) until a reply says otherwise. A fresh client firing 500 orders at once
therefore never bursts past a small quota (issue 10 item 9). Requests wait
for budget in priority order: cancels and closes first, then new orders, then queries, then
background polling. Lower priorities also leave a reserve untouched, so a storm of polling can
never use up the budget an emergency cancel needs. After a 429 the pool is shut until the reset
the server announced.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kcterm.venue.kucoin.ratelimit import RateLimitState
from kcterm.venue.priority import Priority

DEFAULT_WINDOW_S = 30.0  # KuCoin's window until a reply says otherwise
# VIP0 quotas per 30 s window (spec/REFERENCE.md 6.1), assumed until a reply shows the real one.
DOCUMENTED_QUOTAS = {"Futures": 2000, "Public": 2000, "Management": 2000, "Spot": 4000}
DOCUMENTED_QUOTA = 2000  # a pool the reference does not list
SAME_WINDOW_S = 1.0  # two replies whose resets differ by less belong to one window
# The server's window starts when our first request arrives, a little after we sent it: count
# the quota back a little after our estimate of the reset, never before it.
RESET_GRACE_S = 0.05


# Share of the quota a priority must leave for the ones above it.
RESERVE = {
    Priority.CANCEL: 0.0,
    Priority.PLACE: 0.05,
    Priority.QUERY: 0.15,
    Priority.BACKGROUND: 0.3,
}


@dataclass(frozen=True, slots=True)
class PoolBudget:
    """What the status bar shows for one pool."""

    pool: str
    limit: int | None  # None: no reply seen yet
    remaining: int | None
    resets_in_s: float
    blocked: bool  # refused with 429 and waiting for the reset
    waiting: int  # requests queued for budget


@dataclass
class _Pool:
    name: str
    limit: int  # the documented default until `known`
    known: bool = False  # a reply's headers have shown the quota
    probe_out: bool = False  # the first request is out; the others wait for its reply
    probed: bool = False  # it ended without headers: go by the documented quota
    remaining: int = 0
    resets_at: float = 0.0
    blocked_until: float = 0.0
    window_s: float = DEFAULT_WINDOW_S
    window_known: bool = False
    waiters: list[tuple[int, int, int, asyncio.Future[None]]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    # ceil(limit * RESERVE[priority]) by priority, for the quota `reserves_of` (-1: none yet)
    reserves: tuple[int, ...] = ()
    reserves_of: int = -1

    def can_take(self, weight: int, priority: Priority, now: float) -> bool:
        return self.take(weight, priority, now, spend=False)

    def take(self, weight: int, priority: Priority, now: float, spend: bool = True) -> bool:
        """Whether ``weight`` may go now at ``priority``; if so and ``spend``, it is spent
        (the check and the spending in one call: every request asks)."""
        if now < self.blocked_until:
            return False
        if not (self.known or self.probed):
            if self.probe_out:
                return False
            if spend:
                self.probe_out = True  # one goes first: its reply tells the quota
            return True
        if now >= self.resets_at + RESET_GRACE_S:  # the window is over: full quota again
            self.remaining = self.limit
            self.resets_at = now + self.window_s
        limit = self.limit
        if limit != self.reserves_of:  # the quota changed: so did what each priority leaves
            self.reserves = tuple(math.ceil(limit * RESERVE[level]) for level in Priority)
            self.reserves_of = limit
        # A request heavier than the reserve-free budget could never pass; let it through
        # on a full window rather than waiting forever.
        if self.remaining - weight >= self.reserves[priority] or self.remaining == limit:
            if spend:
                self.remaining -= weight
            return True
        return False

    def next_change(self, now: float) -> float:
        """Seconds until waiting could succeed (a block ends or the window resets)."""
        return max(0.0, max(self.blocked_until, self.resets_at + RESET_GRACE_S) - now)


class Throttler:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._pools: dict[str, _Pool] = {}
        self._seq = itertools.count()
        self.waits = 0  # requests that had to queue for budget
        self.refusals = 0  # 429 replies seen

    def _pool(self, name: str) -> _Pool:
        pool = self._pools.get(name)
        if pool is None:
            quota = DOCUMENTED_QUOTAS.get(name, DOCUMENTED_QUOTA)
            pool = self._pools[name] = _Pool(name, quota)
        return pool

    def try_take(self, pool: str, weight: int, priority: Priority) -> bool:
        """Spend ``weight`` from ``pool`` now if nothing queues and the budget allows, as
        acquire() would without waiting (no coroutine for the usual case); False: call
        acquire(), which queues it."""
        state = self._pools.get(pool) or self._pool(pool)
        return not state.waiters and state.take(weight, priority, self._clock())

    async def acquire(
        self,
        pool: str,
        weight: int,
        priority: Priority,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        """Return once ``weight`` may be spent from ``pool``; queue by priority otherwise.
        ``on_wait`` hears when a request has to queue, with the monotonic time its wait should
        end, so whoever waits on it can show a countdown."""
        state = self._pool(pool)
        now = self._clock()
        if not state.waiters and state.take(weight, priority, now):
            return
        if on_wait is not None:
            on_wait(now + state.next_change(now))
        self.waits += 1
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (int(priority), next(self._seq), weight, fut)
        heapq.heappush(state.waiters, entry)
        self._pump(state)
        try:
            await fut
        except asyncio.CancelledError:
            if entry in state.waiters:
                state.waiters.remove(entry)
                heapq.heapify(state.waiters)
                self._pump(state)
            raise

    def observe(self, pool: str, limit: RateLimitState) -> None:
        """Learn quota, remaining budget and reset from a reply's headers."""
        state = self._pools.get(pool) or self._pool(pool)  # every reply: the pool is known
        reset_s = limit.reset_ms / 1000.0
        resets_at = limit.at_monotonic + reset_s  # limit.resets_at_monotonic, without a call
        same_window = state.known and abs(resets_at - state.resets_at) < SAME_WINDOW_S
        # In the same window, requests sent after this one are already taken locally.
        state.remaining = min(state.remaining, limit.remaining) if same_window else limit.remaining
        state.limit = limit.limit
        state.known = True
        state.probe_out = False
        state.resets_at = resets_at
        # The first reply of a window announces the whole window; later ones less of it.
        state.window_s = max(state.window_s, reset_s) if state.window_known else reset_s
        state.window_known = True
        if state.waiters or state.timer is not None:  # else there is nothing to pump
            self._pump(state)

    def refused(self, pool: str, limit: RateLimitState | None) -> float:
        """A 429: shut the pool until the announced reset; returns the seconds to wait."""
        self.refusals += 1
        state = self._pool(pool)
        now = self._clock()
        wait = limit.reset_ms / 1000.0 if limit is not None else state.window_s
        state.blocked_until = max(state.blocked_until, now + wait)
        state.remaining = 0
        if limit is not None:
            state.limit = limit.limit
            state.known = True
            state.resets_at = now + wait
        state.probe_out = False
        self._pump(state)
        return wait

    def settled(self, pool: str) -> None:
        """A request of ``pool`` has ended, however. If it was the first one and its reply
        showed no quota, stop waiting for one: go by the documented quota from now on."""
        state = self._pools.get(pool)
        if state is None or not state.probe_out:
            return
        state.probe_out = False
        if not state.known:
            state.probed = True
        self._pump(state)

    def wait_estimate(self, pool: str) -> float:
        """Seconds until a request of ``pool`` could go, as far as is known now (0: at once)."""
        state = self._pool(pool)
        now = self._clock()
        if now < state.blocked_until:
            return state.blocked_until - now
        if not state.waiters and state.can_take(1, Priority.CANCEL, now):
            return 0.0
        return state.next_change(now)

    def budget(self, pool: str) -> PoolBudget:
        state = self._pool(pool)
        now = self._clock()
        remaining = None
        if state.known:
            fresh = now >= state.resets_at + RESET_GRACE_S
            remaining = state.limit if fresh else state.remaining
        return PoolBudget(
            pool,
            state.limit if state.known else None,
            remaining,
            max(0.0, state.resets_at - now) if state.known else 0.0,
            now < state.blocked_until,
            len(state.waiters),
        )

    def budgets(self) -> dict[str, PoolBudget]:
        return {name: self.budget(name) for name in sorted(self._pools)}

    # -- the queue ---------------------------------------------------------------------------

    def _pump(self, state: _Pool) -> None:
        now = self._clock()
        while state.waiters:
            priority, _, weight, fut = state.waiters[0]
            if fut.done():  # cancelled meanwhile
                heapq.heappop(state.waiters)
                continue
            if not state.take(weight, Priority(priority), now):
                break
            heapq.heappop(state.waiters)
            fut.set_result(None)
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        # While the first request is out, its reply (observe) or its end (settled) pumps.
        if state.waiters and not state.probe_out:
            delay = state.next_change(now) + 0.001
            state.timer = asyncio.get_running_loop().call_later(delay, self._pump, state)
