"""Candles of the embedded exchange on worked examples: bucket alignment for every granularity,
1-minute candles built from trades, and their aggregation into coarser buckets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kcterm.sim.candles import (
    DAY,
    MINUTE,
    MONTH,
    REST_GRANULARITIES,
    WS_TYPES,
    LiveCandles,
    bucket_end,
    bucket_start,
)


def ms(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp() * 1000)


T0 = ms(2026, 3, 4, 10, 0)  # a Wednesday


def test_buckets_align_to_the_epoch_to_mondays_and_to_calendar_months() -> None:
    t = ms(2026, 3, 4, 10, 17, 42)
    assert bucket_start(1, t) == ms(2026, 3, 4, 10, 17)
    assert bucket_start(15, t) == ms(2026, 3, 4, 10, 15)
    assert bucket_start(240, t) == ms(2026, 3, 4, 8)
    assert bucket_start(720, t) == ms(2026, 3, 4, 0)
    assert bucket_start(1440, t) == ms(2026, 3, 4)
    assert bucket_start(10080, t) == ms(2026, 3, 2)  # Monday
    assert bucket_end(10080, ms(2026, 3, 2)) == ms(2026, 3, 9)
    assert bucket_start(MONTH, t) == ms(2026, 3, 1)
    assert bucket_end(MONTH, ms(2024, 2, 1)) == ms(2024, 3, 1)  # 29 days in a leap February
    assert bucket_end(MONTH, ms(2025, 12, 1)) == ms(2026, 1, 1)


def test_every_granularity_nests_in_a_day_or_is_a_week_or_month() -> None:
    assert set(REST_GRANULARITIES) <= set(WS_TYPES.values())
    for granularity in WS_TYPES.values():
        if granularity <= 1440:
            assert DAY % (granularity * MINUTE) == 0


@pytest.fixture
def live() -> LiveCandles:
    """Opens at 99 (units) at T0; trades as in the worked example below."""
    candles = LiveCandles(T0, 99)
    candles.add(T0 + 1_000, 100, 2, 200.0)
    candles.add(T0 + 30_000, 105, 1, 105.0)
    candles.add(T0 + 61_000, 98, 3, 294.0)
    candles.add(T0 + 185_000, 101, 1, 101.0)
    return candles


def test_minutes_open_at_the_previous_close_and_empty_minutes_are_flat(live: LiveCandles) -> None:
    bars = [(c.start - T0, c.open, c.high, c.low, c.close, c.volume) for c in live.minutes]
    assert bars == [
        (0, 99, 105, 99, 105, 3),
        (MINUTE, 105, 105, 98, 98, 3),
        (2 * MINUTE, 98, 98, 98, 98, 0),  # no trade: flat at the last close
        (3 * MINUTE, 98, 101, 98, 101, 1),
    ]
    assert live.minutes[0].turnover == 305.0


def test_extend_to_adds_flat_minutes_up_to_now(live: LiveCandles) -> None:
    live.extend_to(T0 + 5 * MINUTE + 10)
    assert len(live.minutes) == 6
    assert all((c.open, c.close, c.volume) == (101, 101, 0) for c in live.minutes[4:])


def test_a_clock_set_back_lands_in_the_last_minute(live: LiveCandles) -> None:
    live.add(T0 + 5_000, 110, 1, 110.0)  # a timestamp of minute 0, after minute 3 exists
    assert len(live.minutes) == 4
    assert (live.minutes[3].high, live.minutes[3].close) == (110, 110)
    assert live.minutes[0].high == 105


def test_spans_merge_minutes_into_coarser_buckets(live: LiveCandles) -> None:
    five = live.span(T0, T0 + 5 * MINUTE)
    assert five is not None
    assert (five.open, five.high, five.low, five.close, five.volume) == (99, 105, 98, 101, 7)
    assert five.turnover == 700.0
    later = live.span(T0 + MINUTE, T0 + 3 * MINUTE)
    assert later is not None and (later.open, later.close, later.volume) == (105, 98, 3)
    assert live.span(T0 + 10 * MINUTE, T0 + 15 * MINUTE) is None


def test_the_running_candle_agrees_with_a_fresh_merge_as_minutes_close() -> None:
    candles = LiveCandles(T0, 50)
    prices = [52, 49, 55, 47, 51, 53, 50, 48]
    for i, price in enumerate(prices):
        candles.add(T0 + i * 40_000, price, i + 1, float(price))
        running = candles.current(15, T0)
        fresh = candles.span(T0, T0 + 15 * MINUTE)
        assert running is not None and fresh is not None
        assert running.key() == fresh.key()
    final = candles.current(15, T0)
    assert final is not None and (final.high, final.low, final.volume) == (55, 47, 36)
