"""Benchmarks: level2 increments applied per second, and ladder refresh cost. Prints figures.

Run: .venv/bin/python -m pytest -m perf -s tests/perf
"""

from __future__ import annotations

import random
import time

import pytest

from kcterm.core.book import LevelTwoBook

pytestmark = pytest.mark.perf


def _book_with_changes(n: int) -> tuple[LevelTwoBook, list[tuple[int, str]]]:
    rng = random.Random(1)
    book = LevelTwoBook("XBTUSDTM")
    mid = 90000.0
    bids = [[round(mid - 0.1 * i, 1), rng.randint(1, 500)] for i in range(1, 200)]
    asks = [[round(mid + 0.1 * i, 1), rng.randint(1, 500)] for i in range(1, 200)]
    book.apply_snapshot({"sequence": 1, "bids": bids, "asks": asks})
    changes = []
    for seq in range(2, n + 2):
        offset = rng.randint(1, 199)
        if rng.random() < 0.5:
            changes.append((seq, f"{mid - 0.1 * offset:.1f},buy,{rng.randint(0, 500)}"))
        else:
            changes.append((seq, f"{mid + 0.1 * offset:.1f},sell,{rng.randint(0, 500)}"))
    return book, changes


def test_level2_increments_per_second() -> None:
    book, changes = _book_with_changes(200_000)
    start = time.perf_counter()
    for seq, change in changes:
        book.on_increment(seq, change)
    elapsed = time.perf_counter() - start
    rate = len(changes) / elapsed
    print(f"\nLevelTwoBook: {rate:,.0f} increments/s ({elapsed:.2f} s for {len(changes):,})")
    assert book.sequence == changes[-1][0]
