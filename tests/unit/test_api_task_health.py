"""StuckWatch tells a wedged task (pending on a done future, never stepped) from a waiting one."""

from __future__ import annotations

import asyncio

from kcterm.venue.task_health import StuckWatch, end_reason


async def test_a_waiting_task_is_not_stuck_and_a_wedged_one_is() -> None:
    watch = StuckWatch(after_s=0.5)
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def waiter() -> None:
        await gate

    task = asyncio.ensure_future(waiter())
    await asyncio.sleep(0)
    assert not watch.stuck(task, now=0.0) and not watch.stuck(task, now=10.0)  # waiting
    # A done future whose wake-up never ran is what a nested event loop leaves behind; seen
    # here from a plain callback between setting the result and the task's next step.
    gate.set_result(None)
    assert not watch.stuck(task, now=20.0)  # just woken: timing starts
    assert watch.stuck(task, now=20.6)
    await task
    assert not watch.stuck(task, now=30.0)
    assert end_reason(task) == "returned None"


async def test_end_reasons_in_words() -> None:
    async def fails() -> None:
        raise ValueError("bad")

    failed = asyncio.ensure_future(fails())
    cancelled = asyncio.ensure_future(asyncio.sleep(10))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.gather(failed, cancelled, return_exceptions=True)
    assert end_reason(failed) == "ValueError: bad"
    assert end_reason(cancelled) == "cancelled"
