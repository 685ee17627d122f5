"""The seeded history before the exchange started: deterministic, consistent across every
granularity, continuous, ending at the start price, and joined to the live candles without a
gap; kline row limits and paging of the chart series."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pytest

from kcterm.sim.candles import DAY, MINUTE, MONTH, WEEK, LiveCandles, bucket_start
from kcterm.sim.chart import MAX_ROWS, ChartSeries
from kcterm.sim.contract_view import LISTED_MS
from kcterm.sim.history import FIRST_OPEN_MS, HISTORY_START_MS, SeededHistory

ANCHOR = 1_795_600_447_405  # an instant in the middle of a week, not on a minute
PRICE = 91_250.0
UNIT = 0.1
SIGMA = 4e-5 / math.sqrt(200)


def history(seed: int = 11) -> SeededHistory:
    return SeededHistory(seed, "XBTUSDTM", ANCHOR, PRICE, SIGMA)


def minutes(h: SeededHistory, start: int, count: int) -> list:
    out = [h.span(t, t + MINUTE, UNIT, 0.001) for t in range(start, start + count * MINUTE, MINUTE)]
    assert all(c is not None for c in out)
    return out


def key(candle: object) -> tuple:
    assert candle is not None
    return candle.key()  # type: ignore[attr-defined]


def test_history_starts_after_the_listing_and_ends_at_the_start_price() -> None:
    assert FIRST_OPEN_MS == LISTED_MS
    assert HISTORY_START_MS >= FIRST_OPEN_MS and (HISTORY_START_MS - 4 * DAY) % WEEK == 0
    h = history()
    assert h.anchor_ms == ANCHOR - ANCHOR % MINUTE
    last = h.span(h.anchor_ms - MINUTE, h.anchor_ms, UNIT, 0.001)
    assert last is not None and last.close == 912_500  # exactly 91250.0 in ticks
    assert h.span(HISTORY_START_MS - DAY, HISTORY_START_MS, UNIT, 0.001) is None
    assert h.span(h.anchor_ms, h.anchor_ms + DAY, UNIT, 0.001) is None


def test_the_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    start = ANCHOR - ANCHOR % DAY - 40 * DAY
    first = [
        key(history(11).span(t, t + DAY, UNIT, 0.001)) for t in range(start, start + 5 * DAY, DAY)
    ]
    again = [
        key(history(11).span(t, t + DAY, UNIT, 0.001)) for t in range(start, start + 5 * DAY, DAY)
    ]
    other = [
        key(history(12).span(t, t + DAY, UNIT, 0.001)) for t in range(start, start + 5 * DAY, DAY)
    ]
    assert first == again
    assert first != other


def test_a_day_is_exactly_its_minutes_and_a_week_exactly_its_days() -> None:
    h = history()
    day_start = ANCHOR - ANCHOR % DAY - 3 * DAY
    day = h.span(day_start, day_start + DAY, UNIT, 0.001)
    bars = minutes(h, day_start, 1440)
    assert day is not None
    assert (day.open, day.high, day.low, day.close, day.volume) == (
        bars[0].open,
        max(b.high for b in bars),
        min(b.low for b in bars),
        bars[-1].close,
        sum(b.volume for b in bars),
    )
    week_start = bucket_start(10080, ANCHOR) - 2 * WEEK
    week = h.span(week_start, week_start + WEEK, UNIT, 0.001)
    days = [h.span(t, t + DAY, UNIT, 0.001) for t in range(week_start, week_start + WEEK, DAY)]
    assert week is not None and all(d is not None for d in days)
    assert week.high == max(d.high for d in days) and week.low == min(d.low for d in days)  # type: ignore[union-attr]
    assert (week.open, week.close) == (days[0].open, days[-1].close)  # type: ignore[union-attr]


def test_candles_are_continuous_and_well_formed() -> None:
    h = history()
    bars = minutes(h, h.anchor_ms - 600 * MINUTE, 600)
    for previous, bar in itertools.pairwise(bars):
        assert bar.open == previous.close
    for bar in bars:
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.volume >= 0
    assert bars[-1].close == 912_500


def chart_with_trades() -> tuple[ChartSeries, int]:
    h = history()
    seam = h.anchor_ms
    live = LiveCandles(seam, 912_500)
    live.add(seam + 10_000, 913_000, 5, 456.5)
    live.add(seam + 70_000, 911_000, 2, 182.2)
    return ChartSeries(live, h, Decimal("0.1"), Decimal("0.001")), seam


def test_history_and_live_join_without_a_gap() -> None:
    chart, seam = chart_with_trades()
    now = seam + 90_000
    rows = chart.rows(1, seam - 3 * MINUTE, now, now)
    assert [r.start for r in rows] == [seam + i * MINUTE for i in range(-3, 2)]
    assert rows[2].close == rows[3].open == 912_500  # last history minute -> first live one
    assert (rows[3].high, rows[3].close, rows[3].volume) == (913_000, 913_000, 5)
    assert (rows[4].open, rows[4].low, rows[4].close) == (913_000, 911_000, 911_000)
    hour = bucket_start(60, seam)
    merged = chart.bucket(60, hour, now)
    before = chart.history.span(hour, seam, 0.1, 0.001)  # type: ignore[union-attr]
    assert merged is not None and before is not None
    assert merged.open == before.open and merged.close == 911_000
    assert merged.high == max(before.high, 913_000) and merged.volume == before.volume + 7


def test_rows_are_at_most_500_and_page_forward_from_from() -> None:
    chart, seam = chart_with_trades()
    now = seam + 90_000
    latest = chart.rows(1, None, None, now)
    assert len(latest) == MAX_ROWS and latest[-1].start == seam + MINUTE
    first_page = chart.rows(60, seam - 2_000 * 3_600_000, now, now)
    assert len(first_page) == MAX_ROWS
    assert first_page[0].start == bucket_start(60, seam - 2_000 * 3_600_000)
    next_page = chart.rows(60, first_page[-1].start + 3_600_000, now, now)
    assert next_page[0].start == first_page[-1].start + 3_600_000
    assert next_page[0].open == first_page[-1].close
    to_only = chart.rows(1440, None, seam - 10 * DAY, now, limit=3)
    assert [r.start for r in to_only] == [
        bucket_start(1440, seam - 10 * DAY) - i * DAY for i in (2, 1, 0)
    ]


def test_nothing_before_the_history_or_after_now() -> None:
    chart, seam = chart_with_trades()
    now = seam + 90_000
    assert chart.rows(1, 0, HISTORY_START_MS - DAY, now) == []
    assert chart.rows(1, now + DAY, now + 2 * DAY, now) == []
    months = chart.rows(MONTH, 0, now, now)
    assert months[0].start <= HISTORY_START_MS < months[1].start
    assert months[-1].start == bucket_start(MONTH, now)


@pytest.mark.parametrize("granularity", [1, 5, 15, 30, 60, 120, 240, 480, 720, 1440, 10080, MONTH])
def test_a_full_page_of_any_granularity_is_continuous(granularity: int) -> None:
    chart, seam = chart_with_trades()
    rows = chart.rows(granularity, None, None, seam + 90_000)
    assert rows and all(b.open == a.close for a, b in itertools.pairwise(rows))
    assert all(r.low <= min(r.open, r.close) and r.high >= max(r.open, r.close) for r in rows)


@pytest.mark.parametrize("seed", [1, 5, 11, 23])
def test_no_candle_carries_the_wick_of_a_longer_one(seed: int) -> None:
    # A week's high (or a day's) is reached where the path goes, not by one minute's wick:
    # the path from a candle's open to its close passes through its high and low. It once
    # did not, and every chart showed a minute candle with a wick of ~100 minutes' moves.
    h = history(seed)
    for size, count in ((MINUTE, 3 * 1440), (60 * MINUTE, 30 * 24)):
        step = SIGMA * math.sqrt(size) * PRICE / UNIT  # a typical move of one candle, in ticks
        start = h.anchor_ms - h.anchor_ms % size - count * size
        bars = [h.span(t, t + size, UNIT, 0.001) for t in range(start, start + count * size, size)]
        wicks = [
            max(b.high - max(b.open, b.close), min(b.open, b.close) - b.low) / step
            for b in bars
            if b is not None
        ]
        assert len(wicks) == count
        assert max(wicks) < 5, f"a wick of {max(wicks):.0f} typical moves ({size // MINUTE} min)"
