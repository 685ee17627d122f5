"""Benchmark (issue 14, "Book" and the book part of "Scale"): kcterm's whole level2 path
against the plain-dict reference book and the orjson.loads floor on a recording of real
kcterm-sim frames, then apply time against depth (50, 500, 5,000 levels). Prints the figures
as a Markdown table; asserts only that every contender ended with the same top-10.

All the measuring is in kcterm/bench/book.py (`book_figures()` returns the rows; what each
contender does is written there; `kcterm bench --only book` runs the same). The recording is
made on first use into $KCTERM_BENCH_DIR (default $TMPDIR/kcterm-bench), never into the
repository.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m perf -s \\
         tests/perf/test_book_level2_figures.py
Set KCTERM_BENCH_FRAMES for another recording length (default 200,000).
"""

from __future__ import annotations

import os

import pytest

from tests.perf import book_bench

pytestmark = pytest.mark.perf


def test_level2_book_figures() -> None:
    frames = int(os.environ.get("KCTERM_BENCH_FRAMES") or 200_000)
    rows = book_bench.book_figures(frames=frames)
    print("\n" + book_bench.table(rows))
    assert all(row.value > 0 for row in rows)
