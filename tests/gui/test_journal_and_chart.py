"""Journal panel and chart against the running exchange."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSettings

from kcterm.core.orders import OpenOrder
from kcterm.core.validation import OrderDraft
from kcterm.embedded import EmbeddedExchange
from kcterm.ui.main_window import MainWindow
from kcterm.venue.kucoin.error_words import explain
from tests.gui.conftest import SYMBOL, dispose, open_session, trading_ready, until


async def test_a_refused_cancel_shows_code_and_a_sentence(window: MainWindow) -> None:
    await trading_ready(window)
    await _cancel_unknown(window)
    journal = window.journal
    model = journal.model
    await until(
        lambda: any(model.cell(r, 1) == "error" for r in range(model.rowCount())), 5, "error"
    )
    row = next(r for r in range(model.rowCount()) if model.cell(r, 1) == "error")
    code, text = model.cell(row, 3), model.cell(row, 4)
    assert code.isdigit()  # KuCoin's code (100004 or 100001, depending on the venue's choice)
    assert text.startswith("Cancel of order 999999999 refused: " + explain(code))
    journal.errors_only.setChecked(True)
    assert journal.proxy.rowCount() >= 1
    assert all(journal.proxy.index(r, 1).data() == "error" for r in range(journal.proxy.rowCount()))
    assert journal.count_label.text().endswith("1 errors")


async def _cancel_unknown(window: MainWindow) -> None:
    try:
        await window.session.trading.cancel("999999999")
    except Exception:
        pass


async def test_order_actions_replies_and_feed_events_are_journaled(window: MainWindow) -> None:
    await trading_ready(window)
    session = window.session
    bid = session.market_data.books[SYMBOL].best_bid()[0]
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "1", str(bid - 50)))
    await session.trading.place(request)
    model = window.journal.model

    def kinds() -> list[str]:
        return [model.cell(r, 1) for r in range(model.rowCount())]

    await until(lambda: "event" in kinds(), 10, "the open event in the journal")
    # The feed's open event may reach the panel before the reply's line: the panel shows what
    # the journal had at its last repaint, which then has every line journaled so far.
    journaled = len(session.journal.entries)
    await until(lambda: model.rowCount() >= journaled, 5, "the panel to show every line")
    texts = [model.cell(r, 4) for r in range(model.rowCount())]
    assert any(t.startswith("Place buy 1 XBTUSDTM limit") for t in texts)
    assert any(t.startswith("Accepted: order") for t in texts)
    assert any(t.startswith("Open: buy order") for t in texts)


async def test_chart_loads_candles_and_appends_live_ones(window: MainWindow) -> None:
    chart = window.chart
    await until(lambda: chart.series is not None and len(chart.candles.bars()) > 0, 10, "history")
    assert chart.busy.isHidden()
    series = chart.series
    assert series.source in ("klines", "trades") and series.minutes == 1
    # A live trade can open a new candle in the series between two of the chart's paced
    # redraws (5 a second): the bars catch up at the next one.
    await until(
        lambda: len(chart.candles.bars()) == len(series) == len(chart.volume.bars()),
        2,
        "the bars of every candle",
    )
    revision = series.revision
    await until(lambda: series.revision > revision, 15, "a live trade on the chart")
    await until(
        lambda: chart.candles.bars()[-1][4] == series.candles[-1].close, 2, "the live candle"
    )
    # (That a live candle's repaint draws its column's few candles, not the history:
    # tests/gui/test_candle_item.py.)


async def test_chart_intervals_and_crosshair(window: MainWindow) -> None:
    chart = window.chart
    chart.set_interval("1h")
    await until(
        lambda: chart.series is not None and chart.series.minutes == 60, 10, "hourly candles"
    )
    await until(lambda: len(chart.candles.bars()) > 0, 5, "hourly bars")
    bars = chart.candles.bars()
    assert all(b[0] % 3600 == 0 for b in bars)
    # The crosshair reads the series, which a live trade moves between two of the chart's
    # paced redraws of its bars: its candle is the series' own (read here with no await).
    candle = chart.series.candles[-1]
    text = chart.crosshair_text(candle.start_ms / 1000 + 60, (candle.high + candle.low) / 2)
    assert text.count(" · ") == 2
    assert f"H {candle.high:g}" in text and f"V {candle.volume:g}" in text


async def test_dragging_an_order_line_moves_the_order_after_confirmation(
    qtbot, exchange: EmbeddedExchange, settings: QSettings
) -> None:
    session = await open_session(exchange)
    asked: list[tuple[str, Decimal]] = []
    answers = [False, True]

    def confirm(order: OpenOrder, price: Decimal) -> bool:
        asked.append((order.order_id, price))
        return answers[len(asked) - 1]

    window = MainWindow(session, SYMBOL, settings=settings, confirm_move=confirm)
    window.show()
    try:
        await trading_ready(window)
        bid = session.market_data.books[SYMBOL].best_bid()[0]
        request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "2", str(bid - 60)))
        await session.trading.place(request)
        lines = window.chart.order_lines
        await until(lambda: len(lines.lines) == 1, 10, "the order line")
        order_id, line = next(iter(lines.lines.items()))
        assert line.value() == float(bid - 60) and line.movable
        lines.drop(order_id, float(bid - 70) + 0.02)  # released a little off the tick grid
        assert asked == [(order_id, bid - 70)]  # snapped to the tick; declined
        assert (
            line.value() == float(bid - 60)
            and session.trading.orders.get(order_id).price == bid - 60
        )
        lines.drop(order_id, float(bid - 70))
        await until(
            lambda: order_id not in session.trading.orders and len(session.trading.orders) == 1,
            10,
            "moved",
        )
        moved = session.trading.orders.all()[0]
        assert (moved.price, moved.size, moved.side) == (bid - 70, 2, "buy")
        await until(lambda: list(lines.lines) == [moved.order_id], 5, "the line of the new order")
    finally:
        await session.stop()
        dispose(window)
