"""Each panel paints at its own rate, and a window with nothing new paints nothing (issue 14).

The frame clock runs at the frame rate; the ladder refreshes on every frame, what a human
cannot read faster (chart, tape, watchlist, ticker, status and account bars, stale veils) at
its own slower rate. Here: the rates each panel declares, the clock's pacing of them over
frames, a still market (the exchange's market stopped) that makes no paint at all, labels
whose new text relays nothing out, the watchlist refitting only when a column's width moves,
and the ladder signalling a busy frame as one span.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kcterm.core.book import LevelTwoBook
from kcterm.core.contract import Contract
from kcterm.core.ladder import group_levels, levels_needed
from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.ui.book_model import BookModel
from kcterm.ui.frame_clock import FrameClock
from kcterm.ui.ladder_delegate import LadderView
from kcterm.ui.main_window import MainWindow
from kcterm.ui.stale_veil import veil_docks
from kcterm.ui.steady_label import set_steady_text
from kcterm.venue.events import BookDelta, BookSnapshot, LastPrice, Side
from tests.gui.conftest import MAJORS, SYMBOL, InLoop, open_window, until

STILL = SimConfig(port=0, seed=5, market=False, contracts=MAJORS)  # nothing moves by itself


async def test_every_panel_declares_its_refresh_rate(window: MainWindow) -> None:
    clock = window.frame_clock
    assert clock.fps >= 55
    assert clock.rate_of(window.book.refresh) == clock.fps  # the ladder: every frame
    slower = {
        "chart": window._refresh_chart,  # the chart's refresh, or its build (chart_later)
        "tape": window.tape.refresh,
        "watchlist": window.watchlist.refresh,
        "ticker": window.ticker.refresh,
        "status": window.status.refresh,
        "account": window.account_bar.refresh,
    }
    for name, refresh in slower.items():
        assert 1 <= clock.rate_of(refresh) <= 10, name
    veils = veil_docks(window)  # looked at together
    assert veils and 1 <= clock.rate_of(veils.refresh) <= 10


def test_a_slower_callback_runs_every_few_frames_spread_over_frames(qapp) -> None:
    clock = FrameClock(60)
    calls: list[tuple[str, int]] = []
    clock.add(lambda: calls.append(("every", clock.frames)))
    clock.add(lambda: calls.append(("five", clock.frames)), hz=5)
    clock.add(lambda: calls.append(("five again", clock.frames)), hz=5)
    clock.add(lambda: calls.append(("ten", clock.frames)), hz=10)
    for _ in range(60):  # a second of frames
        clock.tick()
    counts = {name: sum(1 for n, _ in calls if n == name) for name, _ in calls}
    assert counts == {"every": 60, "five": 5, "five again": 5, "ten": 10}
    frames = {name: {f for n, f in calls if n == name} for name in counts if name != "every"}
    assert not frames["five"] & frames["five again"]  # never both on the same frame
    assert not (frames["five"] | frames["five again"]) & frames["ten"]


def test_a_broken_panel_does_not_stop_the_others(qapp) -> None:
    clock = FrameClock(60)
    drawn: list[int] = []

    def broken() -> None:
        raise RuntimeError("a panel bug")

    clock.add(broken)
    clock.add(lambda: drawn.append(1))
    for _ in range(3):
        clock.tick()
    assert drawn == [1, 1, 1]


@pytest.fixture
def still_exchange() -> Iterator[EmbeddedExchange]:
    exchange = EmbeddedExchange(STILL)
    exchange.start()
    try:
        yield exchange
    finally:
        exchange.stop()


@pytest.fixture
def still_window(
    qloop, qtbot, still_exchange: EmbeddedExchange, settings: QSettings
) -> InLoop[MainWindow]:
    """A window on the still exchange, opened in the test's loop run (see open_window)."""
    return InLoop(lambda: open_window(still_exchange, settings))


class Painted(QObject):
    """Paint events of one widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


async def test_a_still_market_repaints_nothing(still_window: MainWindow) -> None:
    window = still_window
    book = window.session.market_data.books[SYMBOL]
    await until(
        lambda: book.is_live and window.book.model.prices[window.book.model.depth + 1],
        10,
        "a live book on the ladder",
    )
    await until(
        lambda: window.tape.model.rowCount() > 0 or window.frame_clock.frames > 120,
        10,
        "the tape's rows or two seconds of frames",
    )
    await asyncio.sleep(0.5)  # whatever was on its way is drawn
    ladder = window.book.view
    assert isinstance(ladder, LadderView)
    painted = {
        "ladder": Painted(ladder.viewport()),
        "tape": Painted(window.tape.view.viewport()),
        "chart": Painted(window.chart.plots.viewport()),
        "watchlist": Painted(window.watchlist.view.viewport()),
        "ticker": Painted(window.ticker.last_label),
    }
    # The docks too: the ticket's checks run a few times a second and show the same lines.
    painted.update({f"dock {name}": Painted(dock) for name, dock in window.docks.items()})
    signalled = window.book.model.cells_signalled
    frames_before = window.frame_clock.frames
    await asyncio.sleep(1.0)
    assert window.frame_clock.frames > frames_before + 10  # the clock kept ticking
    assert window.book.model.cells_signalled == signalled
    assert {name: p.count for name, p in painted.items()} == dict.fromkeys(painted, 0)


async def test_a_moving_market_repaints_the_tables_never_their_docks(window: MainWindow) -> None:
    """The tape's and the watchlist's views paint all of their viewports and scroll bars:
    a new print or price repaints the view, not the dock, panel and frame beneath it."""
    await until(lambda: window.tape.model.rowCount() > 0, 10, "the tape's first prints")
    views = {
        "tape": Painted(window.tape.view.viewport()),
        "watchlist": Painted(window.watchlist.view.viewport()),
    }
    docks = {name: Painted(window.docks[name]) for name in ("trades", "watchlist")}
    await until(lambda: all(p.count > 1 for p in views.values()), 10, "both views repainted")
    assert {name: p.count for name, p in docks.items()} == dict.fromkeys(docks, 0)


async def test_a_steady_label_changes_text_without_relaying_out_its_parent(qtbot) -> None:
    parent = QWidget()
    layout = QHBoxLayout(parent)
    label = QLabel()
    layout.addWidget(label)
    layout.addStretch(1)
    qtbot.addWidget(parent)
    parent.show()
    set_steady_text(label, "feed  0.1 s")
    await asyncio.sleep(0.01)  # the first text fixes the label's size: one layout pass
    requests = []

    class Layouts(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.LayoutRequest:
                requests.append(event)
            return False

    watcher = Layouts()
    parent.installEventFilter(watcher)
    width = label.width()
    for text in ("feed  0.2 s", "feed  0.3 s", "feed  0.3 s"):
        set_steady_text(label, text)
    await asyncio.sleep(0.01)
    assert label.text() == "feed  0.3 s" and requests == []
    set_steady_text(label, "feed 120.3 s")  # wider: the label grows once
    await asyncio.sleep(0.01)
    assert label.width() > width and label.minimumSize() == label.maximumSize()


async def test_the_watchlist_refits_its_columns_only_when_a_width_moves(
    window: MainWindow,
) -> None:
    watchlist = window.watchlist
    market = window.session.market_data
    await until(lambda: watchlist.model.rowCount() == len(window.session.contracts), 5, "rows")
    row = market.watchlist.rows[SYMBOL]
    await until(lambda: row.last is not None, 5, "a last price")
    assert row.last is not None
    watchlist.refresh()
    fits = watchlist.fits
    tick = window.session.contracts[SYMBOL].tick_size
    market.on_last_price(LastPrice(SYMBOL, row.last + tick, Side.BUY))  # same digits
    watchlist.refresh()
    assert watchlist.fits == fits
    market.on_last_price(LastPrice(SYMBOL, row.last * 1000, Side.BUY))  # three digits more
    watchlist.refresh()
    assert watchlist.fits == fits + 1


def test_a_busy_frame_is_one_signal_a_quiet_one_a_signal_per_row(qapp) -> None:
    tick = Decimal("0.1")
    book = LevelTwoBook("X", tick_size=tick)
    bids = tuple((Decimal(100) - tick * i, 10 + i) for i in range(1, 30))
    asks = tuple((Decimal(100) + tick * i, 10 + i) for i in range(0, 30))
    book.apply_snapshot(BookSnapshot("X", 1, bids, asks))
    model = BookModel(10)
    model.update_from(book, None)
    spans: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: spans.append((top.row(), bottom.row())))
    sequence = book.sequence
    for i in range(1, 9):  # the eight best bids change size
        sequence += 1
        book.on_delta(BookDelta("X", sequence, Side.BUY, Decimal(100) - tick * i, 99))
    assert model.update_from(book, None) > 4
    assert len(spans) == 1 and spans[0][1] - spans[0][0] >= 7
    assert model.sequence == sequence  # the newest change the ladder shows
    spans.clear()
    sequence += 1
    book.on_delta(BookDelta("X", sequence, Side.SELL, Decimal(100) + tick * 20, 5))  # off screen
    sequence += 1
    book.on_delta(BookDelta("X", sequence, Side.SELL, Decimal(100) + tick * 9, 18))  # the top row
    assert model.update_from(book, None) == 1
    assert spans == [(0, 0)]  # that row alone


def test_grouped_levels_are_the_ladder_rules_groups(qapp) -> None:
    tick = Decimal("0.1")
    contract = Contract(
        "X", "X", "USDT", "USDT", tick, 1, Decimal("0.001"), 1_000_000,
        Decimal("1000000"), 125, Decimal("0.0002"), Decimal("0.0006"),
    )  # fmt: skip
    book = LevelTwoBook("X", tick_size=tick)
    bids = tuple((Decimal(100) - tick * i, i) for i in range(1, 120))
    asks = tuple((Decimal(100) + tick * i, i) for i in range(0, 120))
    book.apply_snapshot(BookSnapshot("X", 1, bids, asks))
    model = BookModel(8)
    for multiple in (1, 5, 25, 5):  # and back: the remembered groups are the step's own
        model.update_from(book, contract, multiple)
        step = tick * multiple
        raw = levels_needed(8, multiple)
        expected_asks = group_levels(book.asks(raw), step, "sell", 8)
        expected_bids = group_levels(book.bids(raw), step, "buy", 8)
        shown = [p for p in model.prices if p is not None]
        assert shown == [p for p, _ in reversed(expected_asks)] + [p for p, _ in expected_bids]
        sizes = [model.row_text(r)[2] for r in range(model.rowCount()) if model.prices[r]]
        totals = [s for _, s in reversed(expected_asks)] + [s for _, s in expected_bids]
        assert sizes == [f"{s:,}" for s in totals]


async def test_a_new_last_price_repaints_the_line_not_the_chart(window: MainWindow) -> None:
    """The last-price line moves alone: the plot under it (candles, grid) is not repainted."""
    chart = window.chart
    await until(lambda: chart.series is not None and chart.candles.bars(), 10, "the candles")
    window.frame_clock.stop()
    await asyncio.sleep(0.1)  # whatever was on its way is drawn
    viewport = chart.plots.viewport()
    regions = []

    class Regions(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                regions.append([r.getRect() for r in event.region()])
            return False

    watcher = Regions()
    viewport.installEventFilter(watcher)
    chart.last_line.setValue(chart.last_line.value() * 1.0001)
    await until(lambda: regions, 5, "the line's repaint")
    area = sum(w * h for region in regions for _x, _y, w, h in region)
    assert area < viewport.width() * viewport.height() * 0.1, regions
