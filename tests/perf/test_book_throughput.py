"""Benchmarks: level2 changes applied per second, and ladder refresh cost. Prints figures.

The book path measured is the one a frame takes: the adapter parses KuCoin's change string
into a BookDelta (venue.kucoin.market_events.book_delta), the book checks and applies it.
A plain-dict book doing the least possible work (split, Decimal, dict write) is the
reference issue 14 compares against.

Run: .venv/bin/python -m pytest -m perf -s tests/perf

The frame parse (orjson) and the router are not in these figures; the whole path on a
recording of real frames is tests/perf/test_book_level2_figures.py (book_bench.py).
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

import pytest

from kcterm.core.book import LevelTwoBook
from kcterm.venue.kucoin.market_events import book_delta
from tests.unit.kucoin_book import load_snapshot

pytestmark = pytest.mark.perf


def _book_with_changes(n: int) -> tuple[LevelTwoBook, list[tuple[int, str]]]:
    rng = random.Random(1)
    book = LevelTwoBook("XBTUSDTM")  # no tick check: as the figures before this change
    mid = 90000.0
    bids = [[round(mid - 0.1 * i, 1), rng.randint(1, 500)] for i in range(1, 200)]
    asks = [[round(mid + 0.1 * i, 1), rng.randint(1, 500)] for i in range(1, 200)]
    load_snapshot(book, {"sequence": 1, "bids": bids, "asks": asks})
    changes = []
    for seq in range(2, n + 2):
        offset = rng.randint(1, 199)
        if rng.random() < 0.5:
            changes.append((seq, f"{mid - 0.1 * offset:.1f},buy,{rng.randint(0, 500)}"))
        else:
            changes.append((seq, f"{mid + 0.1 * offset:.1f},sell,{rng.randint(0, 500)}"))
    return book, changes


def _reference(changes: list[tuple[int, str]]) -> float:
    bids: dict[Decimal, int] = {}
    asks: dict[Decimal, int] = {}
    start = time.perf_counter()
    for _seq, change in changes:
        price, side, size = change.split(",")
        levels = bids if side == "buy" else asks
        if size == "0":
            levels.pop(Decimal(price), None)
        else:
            levels[Decimal(price)] = int(size)
    return time.perf_counter() - start


REPEATS = 3  # the best of a few runs: a shared machine only ever makes a run slower


def test_level2_increments_per_second() -> None:
    rate = applied = reference = 0.0
    for _ in range(REPEATS):
        book, changes = _book_with_changes(200_000)
        symbol = book.symbol
        start = time.perf_counter()
        for seq, change in changes:
            book.on_delta(book_delta(symbol, seq, change))
        rate = max(rate, len(changes) / (time.perf_counter() - start))
        assert book.sequence == changes[-1][0] and book.is_live

        book, changes = _book_with_changes(200_000)
        deltas = [book_delta(symbol, seq, change) for seq, change in changes]
        start = time.perf_counter()
        for delta in deltas:
            book.on_delta(delta)
        applied = max(applied, len(deltas) / (time.perf_counter() - start))
        assert book.sequence == changes[-1][0]
        reference = max(reference, len(changes) / _reference(changes))
    print(
        f"\nLevelTwoBook: {rate:,.0f} changes/s parsed and applied; {applied:,.0f}/s applying "
        f"parsed deltas; plain-dict reference {reference:,.0f}/s (ratio {rate / reference:.2f}x);"
        f" best of {REPEATS} x 200,000"
    )
