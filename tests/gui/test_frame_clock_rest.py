"""The frame clock rests while the event loop runs nothing, and the loop's next pass wakes it
with a tick a few ms later (ui.frame_clock, kcterm.qt_loop.BatchedQEventLoop.when_active; issue 14:
an idle window's frames were most of its CPU)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import pytest

from kcterm.qt_loop import BatchedQEventLoop
from kcterm.ui import frame_clock
from kcterm.ui.frame_clock import REST_S, FrameClock
from tests.gui.conftest import until


class Quiet:
    """A loop as the clock sees it: a count of passes, and who to call at the next one."""

    def __init__(self) -> None:
        self.activity = 0
        self.waiting: list[Callable[[], None]] = []

    def when_active(self, callback: Callable[[], None]) -> None:
        self.waiting.append(callback)

    def a_pass(self) -> None:
        self.activity += 1
        woken, self.waiting = self.waiting, []
        for callback in woken:
            callback()


class Now:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def now(monkeypatch) -> Now:
    clock = Now()
    monkeypatch.setattr(frame_clock.time, "monotonic", clock)
    return clock


def test_a_quiet_loop_rests_the_clock_and_its_next_pass_wakes_it(qapp, now: Now) -> None:
    loop = Quiet()
    clock = FrameClock(60, loop=loop)
    ticks: list[int] = []
    clock.add(lambda: ticks.append(clock.frames))
    clock.start()
    frame_ms = clock._frame_ms
    try:
        loop.activity += 1  # something ran before the first tick
        now.t += frame_ms / 1000
        clock._on_timer()
        assert not clock.resting  # the loop ran something since the tick before
        now.t += frame_ms / 1000
        clock._on_timer()  # nothing ran: rest
        assert clock.resting
        assert clock._timer.interval() == clock.rest_period * frame_ms
        assert abs(clock._timer.interval() - REST_S * 1000) <= frame_ms  # about 4 a second
        assert len(loop.waiting) == 1
        before = len(ticks)
        now.t += 0.2
        loop.a_pass()  # a message after a quiet spell: one tick, a few ms later
        assert clock._wake_timer.isActive()
        assert len(ticks) == before
        now.t += 0.003
        clock._wake()  # the wake timer fires
        assert len(ticks) == before + 1
        assert ticks[-1] - ticks[-2] == round(203 / frame_ms)  # the frames it stood for
        assert clock.resting and clock.wake_ticks == 1  # a lone message: still resting
        assert len(loop.waiting) == 1
        now.t += 0.005
        loop.a_pass()  # more within a frame of that tick: a market on the move
        assert not clock.resting
        assert clock._timer.interval() == frame_ms
        assert not clock._wake_timer.isActive()
    finally:
        clock.stop()


def test_what_runs_every_few_frames_keeps_its_rate_while_resting(qapp, now: Now) -> None:
    loop = Quiet()
    clock = FrameClock(60, loop=loop)
    every: list[int] = []
    four_hz: list[int] = []
    two_hz: list[int] = []
    clock.add(lambda: every.append(1))
    clock.add(lambda: four_hz.append(1), hz=4)
    clock.add(lambda: two_hz.append(1), hz=2)
    clock.start()
    frame_ms = clock._frame_ms
    try:
        now.t += frame_ms / 1000
        clock._on_timer()
        now.t += frame_ms / 1000
        clock._on_timer()
        assert clock.resting
        every.clear()
        four_hz.clear()
        two_hz.clear()
        start = clock.frames
        for _ in range(60):  # 60 resting ticks' time, one every rest_period frames
            now.t += clock.rest_period * frame_ms / 1000
            clock._on_timer()
        assert clock.frames - start == 60 * clock.rest_period  # the frames it stood for
        assert len(every) == 60  # once a tick
        assert len(four_hz) == 60 * clock.rest_period // 15  # as at the frame rate: every 15th
        assert len(two_hz) == 60 * clock.rest_period // 30  # ... and every 30th
        assert clock.resting_ticks == 60
    finally:
        clock.stop()


def test_a_clock_told_not_to_rest_never_does(qapp, now: Now) -> None:
    loop = Quiet()
    clock = FrameClock(60, rest=False, loop=loop)
    clock.start()
    try:
        for _ in range(5):
            now.t += clock._frame_ms / 1000
            clock._on_timer()
        assert not clock.resting
        assert not loop.waiting
    finally:
        clock.stop()


async def test_the_apps_loop_rests_the_clock_while_quiet_and_wakes_it(
    qloop: BatchedQEventLoop,
) -> None:
    clock = FrameClock(60)
    clock.start()
    try:
        await asyncio.sleep(0.4)  # nothing else runs: the clock rests
        assert clock.resting_ticks > 0
        await until(lambda: clock.resting, 2, "the clock resting")
        frames = clock.frames
        done = asyncio.get_running_loop().create_future()
        qloop.call_soon(done.set_result, None)  # a pass: it wakes the clock at its end
        await done
        # A tick a few ms later (or, when the pass came within a frame of the last tick, the
        # frame rate again).
        await until(lambda: clock.frames > frames, 2, "a tick after the pass")
    finally:
        clock.stop()


async def test_when_active_calls_back_once_at_the_end_of_a_pass(
    qloop: BatchedQEventLoop,
) -> None:
    woken: list[int] = []
    qloop.when_active(lambda: woken.append(qloop.activity))  # asked inside a pass: its end
    passes = qloop.activity
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert woken == [passes]
    assert qloop.activity >= passes + 2


async def test_the_tickets_checks_keep_their_pace_in_seconds(window, monkeypatch) -> None:
    """The ticket's preview follows the market ~4 times a second however often the clock
    calls it (a resting clock calls it less often than its 30 a second)."""
    from kcterm.ui import order_ticket

    window.frame_clock.stop()
    ticket = window.ticket
    runs: list[float] = []
    monkeypatch.setattr(ticket.checks, "run", lambda: runs.append(t[0]))
    t = [5000.0]
    monkeypatch.setattr(order_ticket.time, "monotonic", lambda: t[0])
    for _ in range(32):  # 2 s of a clock at 16 calls a second
        ticket.refresh()
        t[0] += 0.0625
    assert len(runs) == 8  # every 0.25 s: 2 s, 8 runs
    runs.clear()
    for _ in range(8):  # 2 s of a clock at 4 calls a second
        ticket.refresh()
        t[0] += 0.25
    assert len(runs) == 8


def rest(clock: FrameClock, loop: Quiet, now: Now) -> None:
    """Two quiet frames: the clock rests."""
    for _ in range(2):
        now.t += clock._frame_ms / 1000
        clock._on_timer()
    assert clock.resting
    assert len(loop.waiting) == 1


def a_burst(clock: FrameClock, loop: Quiet, now: Now, after_s: float) -> None:
    """The loop runs a market step `after_s` after the last tick; the wake tick follows."""
    now.t += after_s
    loop.a_pass()
    assert clock._wake_timer.isActive(), "a lone burst after a quiet spell wakes one tick"
    now.t += 0.003
    clock._wake()


def test_a_quiet_markets_step_calls_the_slower_panels_together_on_its_woken_tick(
    qapp, now: Now
) -> None:
    loop = Quiet()
    clock = FrameClock(60, loop=loop)
    calls: list[tuple[str, int]] = []
    for name, hz in (("chart", 5), ("tape", 8), ("watchlist", 4), ("ticker", 10)):
        clock.add(lambda name=name: calls.append((name, clock.ticks)), hz=hz)
    clock.start()
    try:
        rest(clock, loop, now)
        for _ in range(25):  # five seconds of a market stepping every 0.2 s
            a_burst(clock, loop, now, 0.2 - 0.003)
        woken = {tick for _, tick in calls[-4 * 20 :]}
        # Every panel a step moves is called on the tick the step woke, once a step (each
        # step is longer than three quarters of every period): one repaint per step.
        assert len(woken) == 20
        assert {name for name, _ in calls[-4:]} == {"chart", "tape", "watchlist", "ticker"}
        assert clock.resting  # and the clock never left its rest for it
    finally:
        clock.stop()


def test_a_slower_callback_on_woken_ticks_keeps_within_four_thirds_of_its_rate(
    qapp, now: Now
) -> None:
    loop = Quiet()
    clock = FrameClock(60, loop=loop)
    four_hz: list[float] = []
    clock.add(lambda: four_hz.append(now.t), hz=4)
    clock.start()
    try:
        rest(clock, loop, now)
        start = now.t
        for _ in range(100):  # a burst every 50 ms, each far from the last tick
            a_burst(clock, loop, now, 0.05 - 0.003)
        elapsed = now.t - start
        assert 4 * elapsed <= len(four_hz) <= 4 * elapsed * 4 / 3 + 1
        gaps = [b - a for a, b in itertools.pairwise(four_hz)]
        assert min(gaps) >= 0.75 * 0.25 - 0.02  # never sooner than 3/4 of its period
    finally:
        clock.stop()


def test_a_message_just_after_a_resting_tick_wakes_one_tick_not_the_frame_rate(
    qapp, now: Now
) -> None:
    loop = Quiet()
    clock = FrameClock(60, loop=loop)
    clock.start()
    try:
        rest(clock, loop, now)
        now.t += clock.rest_period * clock._frame_ms / 1000
        clock._on_timer()  # a resting tick
        assert clock.resting
        now.t += 0.005  # a lone message 5 ms later: no market on the move
        loop.a_pass()
        assert clock.resting and clock._wake_timer.isActive()
    finally:
        clock.stop()
