"""The feed watch as the book's hot path feeds it: only the last message's time and the count
are written per message; the cadence is learnt from them when read (core.feed_watch)."""

from __future__ import annotations

import pytest

from kcterm.core.feed_watch import SMOOTHING, FeedWatch


def _hear(watch: FeedWatch, *times: float) -> None:
    for now in times:  # what LevelTwoBook.change writes, and nothing else
        watch.last_monotonic = now
        watch.messages += 1


def test_a_batch_read_at_once_teaches_its_mean_gap() -> None:
    watch = FeedWatch(started=0.0)
    _hear(watch, *(i * 0.1 for i in range(1, 11)))  # ten a second, read once
    assert watch.cadence_s == pytest.approx(0.1)
    assert not watch.stale(1.0 + 2.9) and watch.stale(1.0 + 3.1)  # the floor, as before
    _hear(watch, *(1.0 + i * 0.5 for i in range(1, 6)))  # slower now: five gaps of 0.5
    weight = 1 - (1 - SMOOTHING) ** 5  # as five gaps taught one by one
    assert watch.cadence_s == pytest.approx(0.1 + weight * 0.4)
    assert watch.messages == 15


def test_one_message_at_a_time_is_the_running_cadence() -> None:
    lazy, eager = FeedWatch(started=0.0), FeedWatch()
    eager.on_message(0.0)
    expected = None
    for i in range(1, 40):
        now = i * (0.1 if i % 2 else 0.3)
        gap = now - (eager.last_monotonic or 0.0)
        eager.on_message(now)
        _hear(lazy, now)
        g = max(0.0, gap)
        expected = g if expected is None else expected + SMOOTHING * (g - expected)
        assert lazy.cadence_s == pytest.approx(eager.cadence_s)  # read after each message
    assert eager.cadence_s == pytest.approx(expected)


def test_a_silent_feed_goes_stale_however_often_it_is_read() -> None:
    watch = FeedWatch(started=0.0)
    _hear(watch, *(i * 0.01 for i in range(1, 101)))  # a busy book, then nothing
    for k in range(1, 40):  # the veil reads at 4 Hz: no message, nothing learnt
        now = 1.0 + k * 0.25
        assert watch.stale(now) == (now - 1.0 > 3.0)
    assert watch.cadence_s == pytest.approx(0.01) and watch.silence(11.0) == pytest.approx(10.0)


def test_without_a_start_the_first_batch_only_sets_the_clock() -> None:
    watch = FeedWatch()
    _hear(watch, 1.0, 2.0, 3.0)  # the first one's time is unknown: no gap learnt yet
    assert watch.cadence_s is None and not watch.stale(3.5) and watch.stale(3.0 + 31)
    _hear(watch, 3.5, 4.0)
    assert watch.cadence_s == pytest.approx(0.5)
