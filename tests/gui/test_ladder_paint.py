"""The ladder's one-pass paint (ui.ladder_delegate.LadderView, issue 14): a number seen for the
first time is drawn as plain text, from the second time on as a cached static text, and both
give the same pixels; a number that never comes back is never laid out as a static text."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHeaderView

from kcterm.core.book import LevelTwoBook
from kcterm.ui.book_model import MINE, BookModel
from kcterm.ui.ladder_delegate import LadderView
from kcterm.ui.theme import monospace_font
from kcterm.venue.events import BookSnapshot


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


def texts(model: BookModel) -> list[str]:
    return [t for r in range(model.rowCount()) for t in model.row_at(r).texts() if t]


def test_a_number_looks_the_same_drawn_as_text_and_from_the_cache(qapp) -> None:
    view, model = ladder()
    model.update_from(book(1), None, 1, {("buy", Decimal("99.8")): 3})
    first = grab(view)  # the numbers new: drawn as plain text
    assert len(view._seen) > 20
    second = grab(view)  # seen twice: laid out now, drawn from the cache
    assert set(texts(model)) <= set(view._texts)
    third = grab(view)  # from the cache
    assert first == second == third


def test_numbers_that_never_come_back_are_not_laid_out(qapp) -> None:
    view, model = ladder()
    counts: dict[str, int] = {}
    for sizes in range(1, 6):  # the sizes and totals new on each frame; the prices stay
        model.update_from(book(sizes), None)
        grab(view)
        for text in texts(model):
            counts[text] = counts.get(text, 0) + 1
    once = {t for t, n in counts.items() if n == 1}
    assert len(once) > 20
    assert not once & set(view._texts)
    assert {t for t, n in counts.items() if n > 1} <= set(view._texts)
