"""Reconnect delays: full jitter under an exponential ceiling capped at 60 s, and reset."""

from __future__ import annotations

import random

import pytest

from kcterm.venue.backoff import Backoff


def test_ceiling_doubles_up_to_the_cap_with_the_top_draw() -> None:
    backoff = Backoff(0.5, 60.0, rng=lambda: 1.0)
    delays = [backoff.next_delay() for _ in range(10)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert backoff.attempt == 10


def test_full_jitter_draws_from_zero_to_the_ceiling() -> None:
    rng = random.Random(3)
    backoff = Backoff(0.5, 60.0, rng=rng.random)
    for attempt in range(40):
        ceiling = min(60.0, 0.5 * 2**attempt)
        assert 0.0 <= backoff.next_delay() <= ceiling
    assert Backoff(1.0, 60.0, rng=lambda: 0.0).next_delay() == 0.0


def test_no_retry_limit_and_no_overflow_after_many_attempts() -> None:
    backoff = Backoff(0.5, 60.0, rng=lambda: 1.0)
    for _ in range(10_000):
        delay = backoff.next_delay()
    assert delay == 60.0 and backoff.attempt == 10_000


def test_reset_starts_small_again() -> None:
    backoff = Backoff(0.5, 60.0, rng=lambda: 1.0)
    for _ in range(8):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        Backoff(0, 60)
    with pytest.raises(ValueError):
        Backoff(5, 1)
