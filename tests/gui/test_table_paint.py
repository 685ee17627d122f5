"""The list panels' tables paint their plain cells themselves (ui.opaque_view, issue 14) and
look exactly as Qt's item path paints them: same pixels, themes, colours, backgrounds,
alignment, elision, selected rows and a sorted proxy included."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractItemView, QApplication, QStyledItemDelegate

from kcterm.core.watchlist import WatchRow
from kcterm.ui.columns import SORT_ROLE
from kcterm.ui.opaque_view import OpaqueTableView
from kcterm.ui.tape_model import TapeModel
from kcterm.ui.theme import apply_theme, monospace_font
from kcterm.ui.watchlist_model import WatchlistModel
from kcterm.venue.events import Side, Trade


def watch_rows(count: int = 30) -> list[WatchRow]:
    rng = random.Random(3)
    return [
        WatchRow(
            f"SYM{i:02d}USDTM",
            last=Decimal(rng.randint(1000, 90000)) / 10,
            last_side=rng.choice(["buy", "sell", ""]),
            change_pct=Decimal(rng.randint(-300, 300)) / 100,
            volume_24h=Decimal(rng.randint(1, 10**7)),
            funding_rate=Decimal(rng.randint(-30, 30)) / 100000,
            mark=Decimal(rng.randint(1000, 90000)) / 10,
        )
        for i in range(count)
    ]


def trades(count: int = 25) -> list[Trade]:
    rng = random.Random(4)
    return [
        Trade(
            "XBTUSDTM",
            str(i),
            rng.choice([Side.BUY, Side.SELL]),
            Decimal(60000 + rng.randint(-50, 50)),
            rng.choice([1, 2, 3, 50]),  # the 50s are large prints: a background
            1_700_000_000_000_000_000 + i * 10**7,
        )
        for i in range(count)
    ]


def table(model, width: int = 420, height: int = 500) -> OpaqueTableView:
    view = OpaqueTableView()
    view.setModel(model)
    view.setFont(monospace_font(9))
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(20)
    view.setShowGrid(False)
    view.resize(width, height)
    view.show()
    QApplication.processEvents()
    return view


def both_ways(view: OpaqueTableView) -> tuple[QImage, QImage, int]:
    """(Qt's item path, this view's own pass, passes painted here by the second grab)."""
    view.paint_cells_here = False
    stock = view.viewport().grab().toImage()
    view.paint_cells_here = True
    before = view.own_paints
    own = view.viewport().grab().toImage()
    return stock, own, view.own_paints - before


@pytest.fixture(params=["dark", "light"])
def theme(qapp, request):
    apply_theme(qapp, request.param)
    yield request.param
    apply_theme(qapp, "dark")


def sorted_watchlist() -> OpaqueTableView:
    model = WatchlistModel({})
    model.set_rows(watch_rows())
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = table(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    return view


def test_a_sorted_watchlist_with_a_selected_row_looks_as_qt_paints_it(theme) -> None:
    view = sorted_watchlist()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.selectRow(3)
    QApplication.processEvents()
    stock, own, passes = both_ways(view)
    assert passes == 1  # painted here, not through Qt's item path
    assert own == stock
    view.close()


@pytest.mark.parametrize("focused", [False, True])
def test_a_selected_cell_and_the_current_row_look_as_qt_paints_them(theme, focused) -> None:
    # Cells selected one by one (not the whole row), the current index elsewhere: painted
    # here; with the view focused, the current row carries Qt's focus frame (the delegate).
    view = sorted_watchlist()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
    proxy = view.model()
    selection = view.selectionModel()
    selection.select(proxy.index(2, 1), selection.SelectionFlag.Select)
    selection.select(proxy.index(5, 3), selection.SelectionFlag.Select)
    selection.setCurrentIndex(proxy.index(7, 2), selection.SelectionFlag.NoUpdate)
    if focused:
        view.activateWindow()
        view.setFocus()
        QApplication.processEvents()
        assert view.hasFocus()
    QApplication.processEvents()
    stock, own, passes = both_ways(view)
    assert passes == 1
    assert own == stock
    # The selection shows: the selected cells differ from the same cells unselected.
    selection.clearSelection()
    QApplication.processEvents()
    _, unselected, _ = both_ways(view)
    assert unselected != own
    view.close()


@pytest.mark.parametrize("wrap", [True, False])
def test_a_cell_too_narrow_for_its_text_is_elided_as_qt_elides_it(qapp, wrap: bool) -> None:
    model = WatchlistModel({})
    model.set_rows(watch_rows())
    view = table(model)
    view.setWordWrap(wrap)
    view.horizontalHeader().resizeSection(0, 55)  # "SYM00USDTM" does not fit
    QApplication.processEvents()
    stock, own, passes = both_ways(view)
    assert passes == 1
    assert own == stock
    view.close()


def test_the_tape_with_large_prints_lit_looks_as_qt_paints_it(theme) -> None:
    model = TapeModel()
    model.set_trades(trades(), None)
    view = table(model, 300, 400)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    QApplication.processEvents()
    assert model.threshold > 0 and any(model.is_large(t) for t in model.rows())
    stock, own, passes = both_ways(view)
    assert passes == 1
    assert own == stock
    view.close()


def test_a_view_with_a_delegate_of_its_own_takes_qt_path(qapp) -> None:
    class Marked(QStyledItemDelegate):
        pass

    model = TapeModel()
    model.set_trades(trades(5), None)
    view = table(model, 300, 200)
    view.setItemDelegate(Marked(view))
    before = view.own_paints
    view.viewport().grab()
    assert view.own_paints == before
    view.close()


def test_a_text_of_several_lines_looks_as_qt_paints_it(qapp) -> None:
    rows = watch_rows(5)
    rows[2].symbol = "TWO\nLINES"
    model = WatchlistModel({})
    model.set_rows(rows)
    view = table(model, 420, 200)
    view.verticalHeader().setDefaultSectionSize(34)
    QApplication.processEvents()
    stock, own, passes = both_ways(view)
    assert passes == 1
    assert own == stock
    view.close()


def test_prices_moving_far_apart_repaint_their_cells_alone_and_the_screen_matches(theme) -> None:
    model = WatchlistModel({})
    rows = watch_rows()
    model.set_rows(rows)
    view = table(model, height=700)  # every row shown
    QApplication.processEvents()
    moved = {2, 15, 27}
    changed = [
        replace(row, last=row.last + 1, version=row.version + 1) if i in moved else row
        for i, row in enumerate(rows)
    ]
    before_passes, before_cells = view.own_paints, view.cells_painted
    model.set_rows(changed)
    QApplication.processEvents()
    assert view.own_paints - before_passes == 1
    # Three rows' changed cells, not the 26 rows between the first and the last.
    columns = model.columnCount()
    assert 0 < view.cells_painted - before_cells <= len(moved) * columns
    shown = QApplication.primaryScreen().grabWindow(view.winId()).toImage()
    view.paint_cells_here = False  # the whole viewport as Qt's item path paints it
    stock = view.viewport().grab().toImage().convertToFormat(shown.format())
    assert shown.copy(view.viewport().geometry()) == stock
    view.close()
