"""The level-2 book benchmark's parts, for the tests under tests/perf: they live in the
package (kcterm/bench/book.py), where `kcterm bench --only book` runs them too."""

from kcterm.bench.book import (
    SYMBOL,
    TICK,
    Recording,
    Row,
    app_market,
    book_figures,
    depth_rows,
    kcterm_book,
    load_recording,
    record,
    recording_rows,
    run_floor,
    run_kcterm,
    run_kcterm_parse,
    run_reference,
    run_reference_decimal,
    synthetic,
    table,
)

__all__ = [
    "SYMBOL",
    "TICK",
    "Recording",
    "Row",
    "app_market",
    "book_figures",
    "depth_rows",
    "kcterm_book",
    "load_recording",
    "record",
    "recording_rows",
    "run_floor",
    "run_kcterm",
    "run_kcterm_parse",
    "run_reference",
    "run_reference_decimal",
    "synthetic",
    "table",
]
