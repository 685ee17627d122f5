"""The book's sequence, state and version, which its hot path keeps as one number (_next)."""

from __future__ import annotations

from decimal import Decimal as D

from kcterm.core.book import BookState, LevelTwoBook
from kcterm.venue.events import BookSnapshot, Side


def test_sequence_state_and_version_move_as_separate_numbers_would() -> None:
    book = LevelTwoBook("X", tick_size=D("0.1"))
    assert (book.sequence, book.state, book.version) == (0, BookState.SYNCING, 0)
    assert book.apply(5, Side.BUY, D("99.9"), 1) is False  # buffered: nothing visible moved
    assert (book.sequence, book.version) == (0, 0)
    snapshot = BookSnapshot("X", 4, ((D("99.8"), 2),), ((D("100.1"), 3),))
    assert book.apply_snapshot(snapshot) is False  # loaded, then the buffered 5 replayed
    assert book.is_live and book.sequence == 5
    versions = [book.version]
    for seq in range(6, 10):
        assert book.apply(seq, Side.SELL, D("100.2"), seq) is False
        versions.append(book.version)
    assert versions == list(range(versions[0], versions[0] + 5)) and book.sequence == 9
    assert book.apply(9, Side.SELL, D("100.2"), 1) is False  # a duplicate: nothing moves
    assert book.version == versions[-1] and book.asks()[1] == (D("100.2"), 9)
    assert book.apply(11, Side.SELL, D("100.2"), 1) is True  # a gap: resync
    assert book.state is BookState.SYNCING and book.sequence == 9
    assert book.version == versions[-1] + 1
    assert book.apply(10, Side.SELL, D("100.2"), 1) is False  # buffered, not applied
    assert book.sequence == 9 and book.version == versions[-1] + 1
