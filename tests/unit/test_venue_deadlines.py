"""SharedDeadlines: the REST client's per-request time limit on one timer per tick."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kcterm.venue.deadlines import SharedDeadlines


async def _limited(deadlines: SharedDeadlines, seconds: float) -> str:
    """Sleep `seconds` under the limit, as RestClient._send awaits a reply."""
    entered = deadlines.enter()
    try:
        await asyncio.sleep(seconds)
        return "replied"
    except asyncio.CancelledError:
        if not deadlines.expired(entered[0]):
            raise
        return "timed out"
    finally:
        deadlines.leave(entered)


async def test_a_request_past_its_limit_times_out_and_its_task_goes_on() -> None:
    deadlines = SharedDeadlines(0.05)
    assert await _limited(deadlines, 5) == "timed out"
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # the limit's cancel taken back
    await asyncio.sleep(0.01)  # nothing left pending on the task
    assert await _limited(deadlines, 0) == "replied"


async def test_a_request_within_its_limit_is_never_cancelled_later() -> None:
    deadlines = SharedDeadlines(0.05)
    assert await _limited(deadlines, 0.001) == "replied"
    await asyncio.sleep(0.1)  # the shared timer fires with nobody under it
    assert await _limited(deadlines, 0) == "replied"


async def test_a_cancel_from_outside_stays_a_cancel() -> None:
    deadlines = SharedDeadlines(10)
    task = asyncio.create_task(_limited(deadlines, 5))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not deadlines._expired and not deadlines._under


async def test_requests_of_one_tick_share_one_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    timers: list[float] = []
    call_at = loop.call_at

    def counting_call_at(when: float, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        if args and getattr(args[0], "__self__", None) is deadlines:
            timers.append(when)  # the limit's timer (asyncio.sleep sets its own)
        return call_at(when, *args, **kwargs)

    deadlines = SharedDeadlines(10)  # a 1 s tick: a burst of requests shares a timer
    monkeypatch.setattr(loop, "call_at", counting_call_at)
    results = await asyncio.gather(*(_limited(deadlines, 0.001) for _ in range(20)))
    assert results == ["replied"] * 20
    assert 1 <= len(timers) <= 2  # 2 if the burst straddled a whole second
    assert all(when == int(when) for when in timers)  # whole seconds, as aiohttp's ceil
    started = loop.time()
    assert all(started + 9 < when <= started + 11 for when in timers)


async def test_a_limit_cancels_only_the_requests_still_under_it() -> None:
    deadlines = SharedDeadlines(0.1)
    slow = asyncio.create_task(_limited(deadlines, 5))
    fast = asyncio.create_task(_limited(deadlines, 0.01))
    assert await asyncio.gather(slow, fast) == ["timed out", "replied"]
