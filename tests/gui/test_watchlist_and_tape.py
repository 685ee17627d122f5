"""Watchlist and trades tape against the running exchange."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt

from kcterm.ui.columns import SORT_ROLE
from kcterm.ui.main_window import MainWindow
from kcterm.ui.theme import colors
from tests.gui.conftest import SYMBOL, until


def cells(window: MainWindow, view_row: int) -> list[str]:
    proxy = window.watchlist.proxy
    return [proxy.index(view_row, c).data() for c in range(proxy.columnCount())]


async def test_every_contract_is_listed_with_its_market_numbers(window: MainWindow) -> None:
    await until(
        lambda: window.watchlist.proxy.rowCount() == len(window.session.contracts), 5, "rows"
    )
    for symbol in window.session.contracts:
        symbol_, last, change, volume, funding, mark = cells(
            window, window.watchlist.row_of(symbol)
        )
        assert symbol_ == symbol
        contract = window.session.contracts[symbol]
        assert len(last.split(".")[-1]) == contract.price_places  # the contract's precision
        assert Decimal(last.replace(",", "")) > 0 and Decimal(mark.replace(",", "")) > 0
        assert change.endswith("%") and funding.endswith("%") and volume != "—"


async def test_sorting_by_24h_change_orders_rows_by_value(window: MainWindow) -> None:
    rows = len(window.session.contracts)  # every listed contract
    await until(lambda: window.watchlist.proxy.rowCount() == rows, 5, "rows")
    header = window.watchlist.view.horizontalHeader()
    window.watchlist.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert header.sortIndicatorSection() == 2
    proxy = window.watchlist.proxy
    values = [proxy.index(r, 2).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert values == sorted(values, reverse=True)


async def test_live_last_prices_update_the_watchlist_cells(window: MainWindow) -> None:
    model = window.watchlist.model
    rows = len(window.session.contracts)  # every listed contract
    await until(lambda: model.rowCount() == rows, 5, "rows")
    before = model.cells_signalled
    await until(lambda: model.cells_signalled > before, 10, "a live price change in the watchlist")
    assert model.resets == 0  # rows were inserted once; afterwards only cells changed


async def test_tape_shows_trades_newest_first_coloured_by_side(window: MainWindow) -> None:
    model = window.tape.model
    await until(lambda: model.rowCount() >= 3, 15, "a few trades on the tape")
    first = model.row_at(0)
    assert model.cell(0, 1).replace(",", "") == window.session.contracts[SYMBOL].format_price(
        first.price
    )
    assert first.trade_id in {t.trade_id for t in window.session.market_data.tapes[SYMBOL].trades}
    for row in range(model.rowCount()):
        trade = model.row_at(row)
        brush = model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole)
        assert brush.color() == colors().side(trade.side)
        assert model.cell(row, 3) == trade.side.upper()
    times = [model.row_at(r).ts_ns for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)


async def test_large_prints_are_highlighted(window: MainWindow) -> None:
    model = window.tape.model
    await until(lambda: model.rowCount() >= 2, 15, "trades")
    window.tape.large_box.setValue(1)  # every print is large
    assert all(model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) for r in range(2))
    biggest = max(model.row_at(r).size for r in range(model.rowCount()))
    window.tape.large_box.setValue(biggest + 1)  # none is
    assert not any(
        model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) for r in range(model.rowCount())
    )


async def test_new_trades_are_inserted_not_redrawn(window: MainWindow) -> None:
    model = window.tape.model
    await until(lambda: model.rowCount() >= 1, 15, "a first trade")
    resets = model.resets
    count = model.rowCount()
    await until(lambda: model.rowCount() > count, 15, "another trade")
    assert model.resets == resets


async def test_a_new_print_is_laid_out_in_the_tapes_refresh_and_painted_with_its_frame(
    window: MainWindow,
) -> None:
    tape_panel = window.tape
    model, view = tape_panel.model, tape_panel.view
    tape = window.session.market_data.tapes[SYMBOL]
    bar = view.verticalScrollBar()
    await until(lambda: bar.maximum() > 0, 15, "more prints than the tape shows")
    # From here on nothing awaits: no live print or frame comes between the lines.
    tape_panel.refresh()
    view.executeDelayedItemsLayout()  # whatever was pending before is laid out
    assert len(tape.trades) < (tape.trades.maxlen or 0), "the tape has room for one more"
    rows, scrolled_to = model.rowCount(), bar.maximum()
    newest = tape.trades[0]
    tape.on_trade(replace(newest, trade_id=newest.trade_id + "-next", ts_ns=newest.ts_ns + 1))
    tape_panel.refresh()
    # No event processed since: the rows are laid out (the scroll range holds the new row)
    # and the repaint requested, so the print is painted in this frame's window repaint, not
    # in one of its own after Qt's zero-timer layout of inserted rows.
    assert model.rowCount() == rows + 1
    assert model.row_at(0).trade_id == newest.trade_id + "-next"
    assert bar.maximum() == scrolled_to + 1
