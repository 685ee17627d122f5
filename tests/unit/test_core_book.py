"""LevelTwoBook follows spec/REFERENCE.md section 9: snapshot + buffered increments, resync
on a gap."""

from decimal import Decimal

from kcterm.core.book import BookState, LevelTwoBook
from tests.unit.kucoin_book import increment, load_snapshot

D = Decimal

# The worked example of spec/REFERENCE.md section 9.
SNAPSHOT = {
    "sequence": 16,
    "bids": [[3988.51, 56], [3988.50, 15], [3988.49, 100], [3988.48, 10]],
    "asks": [[3988.59, 3], [3988.60, 47], [3988.61, 32], [3988.62, 8]],
}


def test_worked_example_from_the_reference() -> None:
    book = LevelTwoBook("ETHUSDTM")
    assert increment(book, 17, "3988.50,buy,44") is False  # buffered while syncing
    assert book.state is BookState.SYNCING
    assert load_snapshot(book, SNAPSHOT) is False
    assert increment(book, 18, "3988.61,sell,0") is False
    assert book.sequence == 18
    assert book.bids() == [
        (D("3988.51"), 56),
        (D("3988.5"), 44),
        (D("3988.49"), 100),
        (D("3988.48"), 10),
    ]
    assert book.asks() == [(D("3988.59"), 3), (D("3988.6"), 47), (D("3988.62"), 8)]
    assert book.spread() == D("0.08")


def test_buffered_messages_at_or_below_the_snapshot_are_dropped() -> None:
    book = LevelTwoBook("X")
    increment(book, 15, "3988.59,sell,999")  # older than the snapshot: must not apply
    increment(book, 16, "3988.59,sell,998")
    increment(book, 17, "3988.59,sell,5")
    assert load_snapshot(book, SNAPSHOT) is False
    assert book.best_ask() == (D("3988.59"), 5)
    assert book.sequence == 17


def test_gap_discards_the_book_and_asks_for_a_snapshot() -> None:
    book = LevelTwoBook("X")
    load_snapshot(book, SNAPSHOT)
    assert increment(book, 17, "3988.50,buy,44") is False
    assert increment(book, 19, "3988.61,sell,0") is True  # 18 is missing
    assert book.state is BookState.SYNCING
    assert book.resyncs == 1
    # The message after the gap is kept for the next snapshot, which is at 18.
    newer = dict(SNAPSHOT, sequence=18)
    assert load_snapshot(book, newer) is False
    assert book.sequence == 19
    assert D("3988.61") not in dict(book.asks())


def test_gap_inside_the_buffer_after_a_snapshot_needs_another_snapshot() -> None:
    book = LevelTwoBook("X")
    increment(book, 17, "3988.50,buy,44")
    increment(book, 19, "3988.50,buy,45")
    assert load_snapshot(book, SNAPSHOT) is True


def test_duplicates_are_ignored_and_zero_removes_a_level() -> None:
    book = LevelTwoBook("X")
    load_snapshot(book, SNAPSHOT)
    increment(book, 17, "3988.51,buy,0")
    assert increment(book, 17, "3988.51,buy,77") is False  # replay of an applied sequence
    assert book.best_bid() == (D("3988.5"), 15)


def test_crossed_book_resyncs() -> None:
    book = LevelTwoBook("X")
    load_snapshot(book, SNAPSHOT)
    assert increment(book, 17, "3988.70,buy,1") is True
    assert not book.is_live


def test_unreadable_change_resyncs_instead_of_raising() -> None:
    book = LevelTwoBook("X")
    load_snapshot(book, SNAPSHOT)
    assert increment(book, 17, "not-a-price,buy,1") is True
    # Refused by the adapter at once (not buffered to fail later), never raised.
    assert increment(book, 1, "garbage") is True and "refused" in book.last_problem
    assert not book.is_live


def test_depth_limits_and_version_moves() -> None:
    book = LevelTwoBook("X")
    v0 = book.version
    load_snapshot(book, SNAPSHOT)
    assert book.version > v0
    assert book.bids(2) == [(D("3988.51"), 56), (D("3988.5"), 15)]
    assert len(book.asks(10)) == 4


def test_the_kept_best_prices_follow_removals_at_the_touch() -> None:
    book = LevelTwoBook("X")
    load_snapshot(book, {"sequence": 1, "bids": [["100", 1], ["99", 1]], "asks": [["101", 1]]})
    assert increment(book, 2, "100,buy,0") is False  # the best bid leaves: 99 is best now
    assert increment(book, 3, "100,sell,5") is False  # so an ask at 100 does not cross
    assert book.best_bid() == (Decimal(99), 1) and book.best_ask() == (Decimal(100), 5)
    assert increment(book, 4, "100,buy,1") is True  # a bid at the new best ask crosses
    assert not book.is_live


def test_the_best_prices_always_equal_those_of_plain_maps() -> None:
    import random

    rng = random.Random(3)
    book = LevelTwoBook("X")
    load_snapshot(book, {"sequence": 1, "bids": [["90", 1]], "asks": [["110", 1]]})
    bids, asks = {D(90): 1}, {D(110): 1}
    for seq in range(2, 3000):
        side = rng.choice(["buy", "sell"])
        price = rng.randint(80, 99) if side == "buy" else rng.randint(101, 120)
        size = rng.choice([0, 0, 1, 5])
        assert increment(book, seq, f"{price},{side},{size}") is False
        levels = bids if side == "buy" else asks
        if size:
            levels[D(price)] = size
        else:
            levels.pop(D(price), None)
        best_bid = max(bids.items()) if bids else None
        best_ask = min(asks.items()) if asks else None
        assert book.best_bid() == best_bid and book.best_ask() == best_ask
