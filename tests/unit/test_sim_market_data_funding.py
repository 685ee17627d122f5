"""Funding of the embedded exchange with the clock given by hand: the rate formula and its cap,
real and accelerated schedules, listeners and announcements at each settlement, history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kcterm.sim.funding import (
    CAP,
    FLOOR,
    FundingClock,
    FundingState,
    rate_from_premium,
    seeded_rate,
)
from kcterm.sim.history import FIRST_OPEN_MS

EIGHT_H = 28_800_000
START = 1_795_600_447_405  # 2026-11-25 06:34 UTC: 1 h 25 min before the 08:00 settlement


class Recorder:
    """A Publisher that listens to everything."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, str, Any]] = []

    def wants(self, topic: str, user_id: str | None = None) -> bool:
        return True

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        self.frames.append((topic, subject, data))


def test_the_rate_is_premium_plus_interest_clamped_to_the_cap() -> None:
    assert rate_from_premium(0.0) == Decimal("0.0001")
    assert rate_from_premium(0.000234567) == Decimal("0.000335")
    assert rate_from_premium(0.05) == CAP == Decimal("0.003")
    assert rate_from_premium(-0.05) == FLOOR
    rates = {seeded_rate(7, "XBTUSDTM", START - i * EIGHT_H) for i in range(200)}
    assert len(rates) > 50 and all(FLOOR <= r <= CAP for r in rates)
    assert seeded_rate(7, "XBTUSDTM", START) == seeded_rate(7, "XBTUSDTM", START)


def test_real_cycles_settle_on_eight_hour_boundaries() -> None:
    state = FundingState("XBTUSDTM", 7, START, EIGHT_H, None)
    assert state.last_ms % EIGHT_H == 0 and state.last_ms <= START < state.next_ms
    assert state.next_ms - state.last_ms == EIGHT_H == state.granularity_ms
    assert state.funding_symbol == ".XBTUSDTMFPI8H"


def test_accelerated_cycles_count_from_the_start() -> None:
    state = FundingState("ETHUSDTM", 7, START, EIGHT_H, 2_000)
    assert (state.last_ms, state.next_ms, state.granularity_ms) == (START, START + 2_000, 2_000)


def test_each_settlement_charges_the_fixed_rate_and_fixes_the_next_from_the_premium() -> None:
    feed = Recorder()
    state = FundingState("XBTUSDTM", 7, START, EIGHT_H, 1_000)
    clock = FundingClock([state], feed)
    charged: list[tuple[str, Decimal, int]] = []
    clock.add_listener(lambda symbol, rate, t: charged.append((symbol, rate, t)))
    first_rate = state.rate
    for premium in (0.0002, 0.0004):  # averages 0.0003: the next rate is 0.0004
        state.add_premium(premium)
    assert state.predicted() == Decimal("0.0004")
    clock.poll(START + 999)
    assert charged == []
    clock.poll(START + 1_000)
    assert charged == [("XBTUSDTM", first_rate, START + 1_000)]
    assert state.rate == Decimal("0.0004") and state.last_ms == START + 1_000
    assert state.next_ms == START + 2_000
    clock.poll(START + 2_050)
    assert charged[-1] == ("XBTUSDTM", Decimal("0.0004"), START + 2_000)
    assert [rate for _, rate in state.settled.between(0, START + 10_000)] == [
        first_rate,
        Decimal("0.0004"),
    ]


def test_announcements_frame_the_listener_and_the_settled_rate_goes_on_the_instrument() -> None:
    feed = Recorder()
    state = FundingState("SOLUSDTM", 7, START, EIGHT_H, 500)
    clock = FundingClock([state], feed)
    clock.add_listener(lambda symbol, rate, t: feed.frames.append(("listener", symbol, t)))
    clock.poll(START + 600)
    assert [f[1] if f[0] != "listener" else "listener" for f in feed.frames] == [
        "funding.begin",
        "listener",
        "funding.end",
        "funding.rate",
    ]
    begin = feed.frames[0]
    assert begin[0] == "/contract/announcement:SOLUSDTM"
    assert begin[2]["symbol"] == "SOLUSDTM" and begin[2]["fundingTime"] == START + 500
    assert isinstance(begin[2]["fundingRate"], float) and begin[2]["timestamp"] == START + 600
    rate = feed.frames[3]
    assert rate[0] == "/contract/instrument:SOLUSDTM"
    assert rate[2] == {
        "granularity": 500,
        "fundingRate": begin[2]["fundingRate"],
        "timestamp": START + 500,
    }


def test_a_failing_listener_does_not_stop_the_others() -> None:
    states = [FundingState(s, 7, START, EIGHT_H, 100) for s in ("XBTUSDTM", "ETHUSDTM")]
    clock = FundingClock(states, Recorder())
    seen: list[str] = []

    def broken(symbol: str, rate: Decimal, t: int) -> None:
        raise RuntimeError("boom")

    clock.add_listener(broken)
    clock.add_listener(lambda symbol, rate, t: seen.append(symbol))
    clock.poll(START + 100)
    assert seen == ["XBTUSDTM", "ETHUSDTM"]


def test_a_long_stall_replays_a_few_settlements_then_skips_to_the_current_period() -> None:
    state = FundingState("XBTUSDTM", 7, START, EIGHT_H, 1_000)
    clock = FundingClock([state], Recorder())
    times: list[int] = []
    clock.add_listener(lambda symbol, rate, t: times.append(t))
    clock.poll(START + 60_500)
    assert times[:3] == [START + 1_000, START + 2_000, START + 3_000]
    assert times[-1] == START + 60_000 and len(times) == 4
    assert state.next_ms == START + 61_000


@pytest.mark.parametrize("interval", [None, 5_000])
def test_history_is_newest_first_with_seeded_rates_before_the_start(interval: int | None) -> None:
    state = FundingState("XBTUSDTM", 7, START, EIGHT_H, interval)
    clock = FundingClock([state], Recorder())
    clock.poll(state.next_ms)
    rows = state.history(START - 3 * EIGHT_H, state.next_ms)
    times = [t for t, _ in rows]
    assert times == sorted(times, reverse=True)
    assert times[0] == state.last_ms  # the live settlement
    past = times[1:]
    assert len(past) == 3 and all(t % EIGHT_H == 0 and t < START for t in past)
    assert rows[1][1] == seeded_rate(7, "XBTUSDTM", past[0])
    assert state.history(0, FIRST_OPEN_MS - 1) == []
