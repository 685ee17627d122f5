"""The book refuses what cannot be (issue 10 item 8): impossible levels, sizes, sequences and
crossed snapshots are refused, logged and answered with a resync; nothing raises."""

from __future__ import annotations

import logging
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcterm.core.book import BookState, LevelTwoBook
from kcterm.venue.kucoin.market_events import BadMarketData, parse_price, parse_size
from tests.unit.kucoin_book import increment, load_snapshot

D = Decimal
TICK = D("0.1")
GOOD = {"sequence": 10, "bids": [["99.9", 3], [99.8, 2]], "asks": [["100.1", 4], [100.2, 1]]}


def live_book() -> LevelTwoBook:
    book = LevelTwoBook("XBTUSDTM", tick_size=TICK)
    assert load_snapshot(book, GOOD) is False and book.is_live
    return book


def snapshot_with(side: str, level: list) -> dict:
    snap = {"sequence": 10, "bids": [["99.9", 3]], "asks": [["100.1", 4]]}
    snap[side] = [*snap[side], level]
    return snap


BAD_PRICES = ["-100.0", "0", 0, -1, math.inf, -math.inf, math.nan, "inf", "NaN", "1_00",
              "1e3", " 100", "100.05", 100.05, True, None, "", [1]]  # fmt: skip
BAD_SIZES = [-1, "-1", True, False, 1.5, "1.5", "1_00", math.inf, math.nan, None, "", "1e2"]


@pytest.mark.parametrize("price", BAD_PRICES)
def test_impossible_prices_are_refused(price) -> None:
    with pytest.raises(BadMarketData):
        parse_price(price, TICK)
    book = live_book()
    assert increment(book, 11, f"{price},buy,1") is True
    assert book.state is BookState.SYNCING and "refused" in book.last_problem


@pytest.mark.parametrize("size", BAD_SIZES)
def test_impossible_sizes_are_refused(size) -> None:
    with pytest.raises(BadMarketData):
        parse_size(size)
    book = live_book()
    assert increment(book, 11, f"99.9,buy,{size}") is True
    assert not book.is_live


def test_whole_float_sizes_and_plain_prices_are_accepted() -> None:
    assert parse_size(5.0) == 5 and parse_size("0") == 0 and parse_size(7) == 7
    assert parse_price(100.1, TICK) == D("100.1") and parse_price("100", TICK) == D(100)


@pytest.mark.parametrize("sequence", [True, False, 11.0, "11.0", "1_1", -1, None, "x"])
def test_a_sequence_that_is_not_an_integer_resyncs(sequence) -> None:
    book = live_book()
    assert increment(book, sequence, "99.9,buy,1") is True
    assert not book.is_live
    assert book.best_bid() == (D("99.9"), 3)  # nothing of it was applied


@pytest.mark.parametrize(
    "snapshot",
    [
        snapshot_with("bids", ["-5", 1]),
        snapshot_with("asks", [math.inf, 1]),
        snapshot_with("asks", ["100.15", 1]),  # off the tick grid
        snapshot_with("bids", ["1_00", 1]),
        snapshot_with("bids", ["99.7", -3]),
        snapshot_with("bids", ["99.7", True]),
        snapshot_with("bids", ["99.7", 2.5]),
        snapshot_with("bids", ["99.7"]),
        snapshot_with("bids", "99.7"),
        snapshot_with("bids", ["100.5", 1]),  # crossed: bid above the ask
        {"sequence": True, "bids": [], "asks": []},
        {"sequence": 10.5, "bids": [], "asks": []},
        {"bids": [], "asks": []},
        {"sequence": 10, "bids": None, "asks": {"100": 1}},
        [],
        None,
        "snapshot",
    ],
)
def test_a_malformed_snapshot_is_refused_whole_and_never_raises(snapshot, caplog) -> None:
    book = LevelTwoBook("XBTUSDTM", tick_size=TICK)
    increment(book, 11, "99.9,buy,9")  # buffered while syncing: kept for the next snapshot
    with caplog.at_level(logging.WARNING, "kcterm.core.book"):
        assert load_snapshot(book, snapshot) is True
    assert not book.is_live and book.bids() == [] and "snapshot refused" in book.last_problem
    assert any("snapshot refused" in r.getMessage() for r in caplog.records)
    assert load_snapshot(book, GOOD) is False  # the next good one, with the buffer replayed
    assert book.is_live and book.best_bid() == (D("99.9"), 9) and book.last_problem == ""


def test_a_change_that_crosses_the_book_resyncs() -> None:
    book = live_book()
    assert increment(book, 11, "100.1,buy,1") is True  # bid at the best ask
    assert not book.is_live


# -- generated bad data --------------------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["1_00", "-1", "1e3", "nan", "inf", "100.05", " 1", "0x10"]),
    st.lists(st.integers(), max_size=2),
)
good_price = st.integers(1, 2000).map(lambda n: f"{D(n) * TICK}")
good_size = st.integers(0, 100)
level = st.tuples(st.one_of(good_price, junk), st.one_of(good_size, junk)).map(list)
snapshots = st.fixed_dictionaries(
    {
        "sequence": st.one_of(st.integers(0, 100), junk),
        "bids": st.one_of(st.lists(level, max_size=5), junk),
        "asks": st.one_of(st.lists(level, max_size=5), junk),
    }
)


def _is_valid(book: LevelTwoBook) -> bool:
    levels = book.bids() + book.asks()
    return (
        all(
            p.is_finite() and p > 0 and p % TICK == 0 and type(s) is int and s > 0
            for p, s in levels
        )
        and not book.is_crossed()
    )


@settings(max_examples=400, deadline=None)
@given(snapshots)
def test_generated_snapshots_never_raise_and_never_leave_an_impossible_book(snap) -> None:
    book = LevelTwoBook("XBTUSDTM", tick_size=TICK)
    needs_more = load_snapshot(book, snap)
    assert isinstance(needs_more, bool)
    if book.is_live:
        assert not needs_more and _is_valid(book)
        assert type(book.sequence) is int
    else:
        assert needs_more and book.last_problem


changes = st.one_of(
    st.tuples(st.one_of(good_price, junk), st.sampled_from(["buy", "sell", "x"]), st.one_of(
        good_size, junk)).map(lambda t: f"{t[0]},{t[1]},{t[2]}"),
    junk,
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(9, 20), junk), changes), max_size=12))
def test_generated_increments_never_raise_and_never_leave_an_impossible_book(msgs) -> None:
    book = live_book()
    for sequence, change in msgs:
        assert isinstance(increment(book, sequence, change), bool)
        if book.is_live:
            assert _is_valid(book)
    if book.is_live:
        assert _is_valid(book)


def test_a_price_beyond_any_contract_is_refused_not_raised() -> None:
    """Found by hypothesis: 1e27 made the tick check overflow the decimal context."""
    with pytest.raises(BadMarketData, match="beyond any contract"):
        parse_price(1e27, Decimal("0.1"))
    with pytest.raises(BadMarketData, match="beyond any contract"):
        parse_price("1000000000000000", Decimal("0.1"))
    assert parse_price("99999999999999.9", Decimal("0.1")) == Decimal("99999999999999.9")
