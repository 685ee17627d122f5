"""The client's throttler: budget learnt from headers, priority order, reserves, 429 blocks.

A hand-driven clock: nothing here waits on real time."""

from __future__ import annotations

import asyncio

from kcterm.venue.kucoin.ratelimit import RateLimitState
from kcterm.venue.kucoin.throttle import Throttler
from kcterm.venue.priority import Priority


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def headers(limit: int, remaining: int, reset_ms: int, at: float) -> RateLimitState:
    return RateLimitState(limit=limit, remaining=remaining, reset_ms=reset_ms, at_monotonic=at)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_unknown_budget_passes_and_headers_teach_quota_and_window() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    await throttle.acquire("Futures", 5, Priority.QUERY)  # nothing known yet: no wait
    assert throttle.budget("Futures").limit is None
    throttle.observe("Futures", headers(100, 95, 3000, clock.now))
    budget = throttle.budget("Futures")
    assert (budget.limit, budget.remaining, budget.resets_in_s) == (100, 95, 3.0)
    await throttle.acquire("Futures", 5, Priority.QUERY)
    assert throttle.budget("Futures").remaining == 90
    clock.now += 3.5  # the window is over: the full quota is back
    assert throttle.budget("Futures").remaining == 100
    assert throttle.waits == 0


async def test_waiters_are_served_cancels_first_then_orders_queries_background() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    throttle.observe("Futures", headers(10, 0, 500_000, clock.now))  # empty for a long time
    served: list[str] = []

    async def ask(name: str, priority: Priority) -> None:
        await throttle.acquire("Futures", 2, priority)
        served.append(name)

    tasks = [
        asyncio.ensure_future(ask(name, priority))
        for name, priority in (
            ("poll", Priority.BACKGROUND),
            ("query", Priority.QUERY),
            ("order", Priority.PLACE),
            ("cancel", Priority.CANCEL),
        )
    ]
    await settle()
    assert served == [] and throttle.budget("Futures").waiting == 4
    # A new window of 10: cancel (8 left), order (6 >= reserve 1), query (4 >= reserve 2);
    # the poll would leave 2 of the 3 that background work must not touch.
    clock.now += 600
    throttle.observe("Futures", headers(10, 10, 30_000, clock.now))
    await settle()
    assert served == ["cancel", "order", "query"]
    assert throttle.budget("Futures").waiting == 1
    clock.now += 31
    throttle.observe("Futures", headers(10, 10, 30_000, clock.now))
    await settle()
    assert served == ["cancel", "order", "query", "poll"]
    await asyncio.gather(*tasks)


async def test_a_late_cancel_overtakes_queued_queries() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    throttle.observe("Futures", headers(10, 0, 500_000, clock.now))
    served: list[str] = []

    async def ask(name: str, priority: Priority) -> None:
        await throttle.acquire("Futures", 4, priority)
        served.append(name)

    first = [asyncio.ensure_future(ask(f"q{i}", Priority.QUERY)) for i in range(3)]
    await settle()
    late = asyncio.ensure_future(ask("cancel", Priority.CANCEL))
    await settle()
    clock.now += 600
    throttle.observe("Futures", headers(10, 10, 30_000, clock.now))
    await settle()
    assert served[0] == "cancel" and served[1:] == ["q0"]  # 10-4=6, then 6-4=2 >= 2
    for task in [*first, late]:
        task.cancel()
    await asyncio.gather(*first, late, return_exceptions=True)
    assert throttle.budget("Futures").waiting == 0  # cancelled waiters leave the queue


async def test_429_blocks_the_pool_until_the_announced_reset() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    wait = throttle.refused("Futures", headers(100, 0, 50, clock.now))
    assert wait == 0.05 and throttle.budget("Futures").blocked
    task = asyncio.ensure_future(throttle.acquire("Futures", 1, Priority.CANCEL))
    await settle()
    assert not task.done()  # even a cancel waits: the server would refuse it too
    clock.now += 0.2  # past the reset (and its grace)
    throttle.observe("Public", headers(100, 99, 100, clock.now))  # another pool: no effect
    assert not task.done()
    await asyncio.wait_for(task, 1.0)  # the timer set for the reset lets it through
    assert not throttle.budget("Futures").blocked and throttle.refusals == 1


async def test_a_request_heavier_than_the_reserve_free_budget_passes_on_a_full_window() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    throttle.observe("Futures", headers(10, 10, 30_000, clock.now))
    await throttle.acquire("Futures", 10, Priority.BACKGROUND)  # all of it, on a fresh window
    assert throttle.budget("Futures").remaining == 0


async def test_before_any_reply_one_request_goes_and_the_rest_wait_for_its_headers() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    await throttle.acquire("Futures", 2, Priority.PLACE)  # the first one goes at once
    others = [
        asyncio.ensure_future(throttle.acquire("Futures", 2, Priority.PLACE)) for _ in range(3)
    ]
    await settle()
    assert not any(task.done() for task in others)  # held until the first reply is in
    throttle.observe("Futures", headers(40, 4, 1000, clock.now))  # room for one more only
    await settle()
    assert sum(task.done() for task in others) == 1
    clock.now += 1.1
    throttle._pump(throttle._pools["Futures"])
    await settle()
    assert all(task.done() for task in others)  # the next window has room for the rest


async def test_a_first_reply_without_headers_falls_back_to_the_documented_quota() -> None:
    clock = Clock()
    throttle = Throttler(clock)
    await throttle.acquire("Futures", 2, Priority.PLACE)
    throttle.settled("Futures")  # ended without gw-ratelimit-* headers (a timeout, say)
    # VIP0 Futures: 2000 per 30 s (spec/REFERENCE.md 6.1), 5% kept back for cancels.
    for _ in range(950):
        await asyncio.wait_for(throttle.acquire("Futures", 2, Priority.PLACE), 1)
    late = asyncio.ensure_future(throttle.acquire("Futures", 2, Priority.PLACE))
    await settle()
    assert not late.done() and throttle.wait_estimate("Futures") > 29
    assert throttle.budget("Futures").limit is None  # still not shown by a reply
    await asyncio.wait_for(throttle.acquire("Futures", 1, Priority.CANCEL), 1)  # the reserve
    late.cancel()


def test_rate_limit_headers_are_read_in_any_case_and_refused_whole_when_wrong() -> None:
    import pytest
    from multidict import CIMultiDict, CIMultiDictProxy

    reply = CIMultiDictProxy(
        CIMultiDict(
            [
                ("Content-Type", "application/json"),
                ("GW-RateLimit-Limit", "2000"),
                ("gw-ratelimit-remaining", "1999"),
                ("Gw-Ratelimit-Reset", "29000"),
            ]
        )
    )
    limit = RateLimitState.from_headers(reply, 5.0)
    assert limit == headers(2000, 1999, 29000, 5.0)
    assert limit is not None and limit.resets_at_monotonic == 34.0
    plain = {"gw-ratelimit-limit": "10", "gw-ratelimit-remaining": "9", "gw-ratelimit-reset": "1"}
    assert RateLimitState.from_headers(plain, 0.0) == headers(10, 9, 1, 0.0)
    assert RateLimitState.from_headers({**plain, "gw-ratelimit-reset": "soon"}, 0.0) is None
    assert RateLimitState.from_headers({"gw-ratelimit-limit": "10"}, 0.0) is None
    with pytest.raises(AttributeError):
        limit.remaining = 0  # type: ignore[misc]  # what a reply said stays as it said it
