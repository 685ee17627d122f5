"""The ladder's one-pass paint (ui.ladder_delegate.LadderView, issue 14): a number seen for the
first time is drawn as plain text, from the second time on as a cached static text, and both
give the same pixels; a number that never comes back is never laid out as a static text, nor
is a cumulative total."""

from __future__ import annotations

import random
from decimal import Decimal

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHeaderView

from kcterm.core.book import LevelTwoBook
from kcterm.ui.book_model import MINE, SIZE, TOTAL, BookModel
from kcterm.ui.ladder_delegate import LadderView
from kcterm.ui.theme import monospace_font
from kcterm.venue.events import BookSnapshot, Side


def ladder(depth: int = 8) -> tuple[LadderView, BookModel]:
    model = BookModel(depth)
    view = LadderView()
    view.setModel(model)
    view.setFont(monospace_font(9))
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(17)
    view.setShowGrid(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(MINE, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(MINE, 44)
    view.resize(300, 17 * (2 * depth + 1) + 30)
    view.show()
    QApplication.processEvents()
    return view, model


def book(sizes: int) -> LevelTwoBook:
    tick = Decimal("0.1")
    book = LevelTwoBook("X", tick_size=tick)
    bids = tuple((Decimal(100) - tick * i, sizes * 100_003 + 7 * i) for i in range(1, 20))
    asks = tuple((Decimal(100) + tick * i, sizes * 100_003 + 11 * i) for i in range(0, 20))
    book.apply_snapshot(BookSnapshot("X", 1, bids, asks))
    return book


def grab(view: LadderView) -> QImage:
    return view.viewport().grab().toImage()


def texts(model: BookModel, but: int | None = None) -> list[str]:
    """The ladder's texts (but those of column `but`)."""
    rows = [model.row_at(r).texts() for r in range(model.rowCount())]
    return [t for row in rows for c, t in enumerate(row) if t and c != but]


def test_a_number_looks_the_same_drawn_as_text_and_from_the_cache(qapp) -> None:
    view, model = ladder()
    model.update_from(book(1), None, 1, {("buy", Decimal("99.8")): 3})
    first = grab(view)  # the numbers new: drawn as plain text
    assert len(view._seen) > 20
    second = grab(view)  # seen twice: laid out now (but the totals), drawn from the cache
    assert set(texts(model, but=TOTAL)) <= set(view._texts)
    third = grab(view)  # from the cache
    assert first == second == third


def test_numbers_that_never_come_back_are_not_laid_out(qapp) -> None:
    view, model = ladder()
    counts: dict[str, int] = {}  # sightings in any column
    others: dict[str, int] = {}  # ... in every column but the totals'
    for sizes in (1, 2, 3, 4, 5, 5):  # the sizes and totals new on each frame (but the last)
        model.update_from(book(sizes), None)
        grab(view)
        for text in texts(model):
            counts[text] = counts.get(text, 0) + 1
        for text in texts(model, but=TOTAL):
            others[text] = others.get(text, 0) + 1
    once = {t for t, n in counts.items() if n == 1}
    assert len(once) > 20
    assert not once & set(view._texts)
    assert {t for t, n in others.items() if n > 1} <= set(view._texts)
    totals_again = {t for t, n in counts.items() if n > 1 and t not in others}
    assert len(totals_again) > 5  # totals that came back (the last frame's) ...
    assert not totals_again & set(view._texts)  # ... drawn as plain text all the same


def old_columns(old, new) -> tuple[int, int]:
    """The changed cells of a row as the model worked them out before (the reference)."""
    old_texts, new_texts = old.texts(), new.texts()
    columns = [c for c in range(4) if old_texts[c] != new_texts[c]]
    if old.size_bar != new.size_bar:
        columns.append(SIZE)
    if old.total_bar != new.total_bar or old.side != new.side:
        columns += [MINE, TOTAL]
    return min(columns), max(columns)


def test_the_cells_signalled_are_those_that_changed(qapp) -> None:
    rng = random.Random(9)
    tick = Decimal("0.1")
    level_two = LevelTwoBook("X", tick_size=tick)
    bids = tuple((Decimal(100) - tick * i, 10 * i) for i in range(1, 30))
    asks = tuple((Decimal(100) + tick * i, 10 * i + 5) for i in range(0, 30))
    level_two.apply_snapshot(BookSnapshot("X", 1, bids, asks))
    model = BookModel(6)
    model.update_from(level_two, None)
    sequence = 2
    for frame in range(200):
        for _ in range(rng.randint(1, 3)):
            side = rng.choice([Side.BUY, Side.SELL])
            offset = rng.randint(0, 12)
            price = (
                Decimal(100) - tick * (offset + 1)
                if side is Side.BUY
                else Decimal(100) + tick * offset
            )
            level_two.change(sequence, side, price, rng.choice([0, 1, 7, 40, 300]), 0, fed=False)
            sequence += 1
        own = {("buy", Decimal(100) - tick * 2): 3} if frame % 7 == 0 else None
        before = list(model._rows)
        signalled = model.cells_signalled
        model.update_from(level_two, None, 1, own)
        expected = sum(
            last - first + 1
            for first, last in (
                old_columns(o, n) for o, n in zip(before, model._rows, strict=True) if o != n
            )
        )
        assert model.cells_signalled - signalled == expected


def test_the_spread_row_follows_the_spread_as_it_moves(qapp) -> None:
    tick = Decimal("0.1")
    level_two = LevelTwoBook("X", tick_size=tick)
    bids = ((Decimal("99.9"), 5), (Decimal("99.8"), 5))
    asks = ((Decimal("100.0"), 5), (Decimal("100.1"), 5), (Decimal("100.2"), 5))
    level_two.apply_snapshot(BookSnapshot("X", 1, bids, asks))
    model = BookModel(3)

    def spread_row() -> str:
        model.update_from(level_two, None)
        return next(model.row_at(r).price for r in range(7) if model.row_at(r).side == "spread")

    assert spread_row() == "spread 0.1"
    level_two.change(2, Side.SELL, Decimal("100.0"), 0, 0, fed=False)
    level_two.change(3, Side.SELL, Decimal("100.1"), 0, 0, fed=False)
    assert spread_row() == "spread 0.3"
    level_two.change(4, Side.SELL, Decimal("100.0"), 9, 0, fed=False)
    assert spread_row() == "spread 0.1"
    level_two.reset()  # no longer live: the row says so, whatever the spread
    assert spread_row() == "syncing…"
