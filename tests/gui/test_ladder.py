"""The order book ladder: grouping, bars, the user's orders, one-click trading."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt

from kcterm.core.interlock import Gate
from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.book_model import BAR_ROLE, MINE, SIZE, TOTAL
from kcterm.ui.main_window import MainWindow
from kcterm.venue.stream_status import StreamState
from tests.gui.conftest import MAJORS, SYMBOL, InLoop, open_window, trading_ready, until


@pytest.fixture
def still_window(qloop, qtbot, settings: QSettings) -> Iterator[InLoop[MainWindow]]:
    """A window on an exchange whose market only moves when told (market=False): the seeded
    book stays where it is, so an order placed near the touch neither fills nor scrolls out
    of the ladder. (On the running market XBTUSDTM moves thousands of ticks in 20 s: an order
    10 ticks under the bid was filled, or left the ladder's window, before the mark was
    checked whenever the suite ran slowly: the intermittent failure of issue 10.)"""
    embedded = EmbeddedExchange(SimConfig(port=0, seed=5, market=False, contracts=MAJORS))
    embedded.start()
    yield InLoop(lambda: open_window(embedded, settings))
    embedded.stop()


async def painted(window: MainWindow) -> None:
    model = window.book.model
    await until(lambda: model.prices[model.depth + 1] is not None, 15, "a painted ladder")


def click_row(window: MainWindow, qtbot, row: int, column: int = 1) -> None:
    view = window.book.view
    view.scrollTo(window.book.model.index(row, column))
    center = view.visualRect(window.book.model.index(row, column)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)


async def test_levels_group_by_a_multiple_of_the_tick(window: MainWindow) -> None:
    await painted(window)
    model = window.book.model
    window.book.set_group(10)  # 10 ticks = 1.0 on XBTUSDTM
    assert window.book.group_box.currentText() == "1"
    bids = [p for p in model.prices[model.depth + 1 :] if p is not None]
    asks = [p for p in model.prices[: model.depth] if p is not None]
    assert bids and asks
    assert all(p % 1 == 0 for p in bids + asks)
    assert bids == sorted(bids, reverse=True) and len(set(bids)) == len(bids)
    book = window.session.market_data.books[SYMBOL]
    best = book.best_bid()[0]
    in_group = sum(size for price, size in book.bids(50) if price >= bids[0])
    assert int(model.row_text(model.depth + 1)[2].replace(",", "")) == in_group
    assert bids[0] == best - best % 1


async def test_size_and_cumulative_bars(window: MainWindow) -> None:
    await painted(window)
    model = window.book.model
    row = model.depth + 1
    size_bar = model.index(row, SIZE).data(BAR_ROLE)
    total_bar = model.index(row, TOTAL).data(BAR_ROLE)
    assert size_bar[1] == "bid" and 0 < size_bar[0] <= 1
    assert total_bar[1] == "total" and 0 < total_bar[0] <= 1
    deepest = max(r for r in range(row, model.rowCount()) if model.prices[r] is not None)
    assert model.index(deepest, TOTAL).data(BAR_ROLE)[0] >= total_bar[0]
    assert model.index(model.depth, SIZE).data(BAR_ROLE) is None  # the spread row


async def test_own_orders_are_marked_at_their_price(still_window: MainWindow) -> None:
    window = still_window
    session = window.session
    await until(
        lambda: session.adapter.private.state is StreamState.CONNECTED,
        15,
        "the order feed to connect (a fill or open event must reach the ladder)",
    )
    await painted(window)
    bid = session.market_data.books[SYMBOL].best_bid()[0]
    price = bid - 10 * session.contracts[SYMBOL].tick_size
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "7", str(price)))
    await session.trading.place(request)
    model = window.book.model
    found: list[str] = []

    def marked() -> bool:
        # Read in the same step as the condition: a later repaint cannot move the row away.
        for row in range(model.rowCount()):
            if model.prices[row] == price and model.index(row, MINE).data():
                found.append(model.index(row, MINE).data())
                return True
        return False

    await until(marked, 10, "the mark at the order's price")
    assert found[-1] == "7"


async def test_one_click_is_off_at_start_and_a_click_only_copies_the_price(
    window: MainWindow, qtbot
) -> None:
    assert not window.book.one_click_on
    await trading_ready(window)
    await painted(window)
    row = window.book.model.depth + 1
    click_row(window, qtbot, row)
    price = window.book.model.prices[row]
    assert window.ticket.price_edit.text() == window.session.contracts[SYMBOL].format_price(price)
    await wait_no_orders(window)


async def wait_no_orders(window: MainWindow) -> None:
    import asyncio

    await asyncio.sleep(0.3)
    assert len(window.session.trading.orders) == 0


async def test_one_click_on_places_at_the_clicked_level(window: MainWindow, qtbot) -> None:
    await trading_ready(window)
    await painted(window)
    window.ticket.size_edit.setText("3")
    window.book.one_click.click()
    assert window.book.one_click_on and window.book.one_click.text() == "1-click ON"
    model = window.book.model
    row = model.rowCount() - 1  # the deepest bid: it rests
    await until(lambda: model.prices[row] is not None, 5, "a deep bid")
    price = model.prices[row]
    click_row(window, qtbot, row)
    await until(lambda: len(window.session.trading.orders) == 1, 10, "the one-click order")
    order = window.session.trading.orders.all()[0]
    assert (order.side, order.price, order.size) == ("buy", price, 3)


async def test_one_click_is_disabled_while_the_interlock_is_closed(
    window: MainWindow, qtbot
) -> None:
    await trading_ready(window)
    await painted(window)
    window.book.one_click.click()
    assert window.book.one_click_on
    window.frame_clock.stop()  # keep the window from re-evaluating the real feed
    window.book.set_gate(Gate(False, "Market data stale (9 s old): trading paused"))
    assert not window.book.one_click.isEnabled()
    assert "stale" in window.book.one_click.toolTip()
    row = window.book.model.depth + 1
    click_row(window, qtbot, row)
    await wait_no_orders(window)
    price = window.book.model.prices[row]
    assert window.ticket.price_edit.text() == window.session.contracts[SYMBOL].format_price(price)
