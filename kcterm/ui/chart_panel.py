"""Chart panel (pyqtgraph): candles 1m to 1d with volume, crosshair with price and time, the last
price, the user's orders as lines that can be dragged to a new price, and the position's entry,
liquidation price, stop-loss and take-profit (SL/TP lines can be dragged to edit them).

History comes from REST klines (or recent trades when the venue has none) and is loaded in the
background behind a progress bar; live trades then extend the series, and the chart appends
closed candles and repaints the live one instead of redrawing the history on every trade.

Refreshed 5 times a second (refresh_hz): a candle's wick and the last-price line are read at a
glance, and a chart repaint (axes, grid, candles) is the window's most expensive one.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from kcterm.core.candles import INTERVALS, CandleSeries
from kcterm.core.interlock import Gate
from kcterm.core.market_data import SymbolLease
from kcterm.core.session import Session
from kcterm.ui.candle_item import CandleItem, bar_of
from kcterm.ui.formatting import price_text
from kcterm.ui.order_lines import ConfirmMove, OrderLines
from kcterm.ui.position_lines import PositionLines
from kcterm.ui.symbol_header import SymbolHeader
from kcterm.ui.theme import colors, monospace_font

VISIBLE_CANDLES = 120


class GuideLine(pg.InfiniteLine):
    """A line the view never ranges on (added with ignoreBounds): the last price, the crosshair.

    pyqtgraph tells the ViewBox of every move of an item, and the ViewBox then queues an
    auto-range and repaints the whole plot; for a line outside its bounds that is wasted: a new
    last price repainted the price plot, candles, grid and all, 5 times a second (issue 14).
    Here a move repaints the line's old and new strips alone."""

    def informViewBoundsChanged(self) -> None:
        pass


class ChartPanel(QWidget):
    refresh_hz = 5  # the frame clock calls refresh() at this rate (main_window.CHART_REFRESH_HZ)
    move_requested = Signal(str, Decimal)
    level_moved = Signal(str, str, Decimal)  # TP/SL order id, "SL" | "TP", new price

    def __init__(
        self,
        session: Session,
        symbol: str,
        confirm_move: ConfirmMove,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._symbol = symbol
        self._lease = SymbolLease(session.market_data, "chart", symbol)
        self.series: CandleSeries | None = None
        self._drawn = (-1, -1, -1)  # reloads, appended, revision
        self._orders_drawn = -1
        self._position_drawn: tuple[int, int, int] = (-1, -1, -1)
        self._last_drawn: Decimal | None = None
        self._load_task: asyncio.Future[None] | None = None
        self.header = SymbolHeader(sorted(session.contracts), symbol)
        self.interval_box = QComboBox()
        for label, minutes in INTERVALS.items():
            self.interval_box.addItem(label, minutes)
        self.interval_box.currentIndexChanged.connect(lambda _i: self.load())
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: the request's length is unknown
        self.busy.setMaximumWidth(110)
        self.busy.setFormat("loading")
        self.busy.hide()
        self.source_label = QLabel()
        self.crosshair_label = QLabel()
        self.crosshair_label.setFont(monospace_font(9))
        for widget in (self.interval_box, self.busy, self.source_label, self.crosshair_label):
            self.header.add(widget)
        pg.setConfigOptions(antialias=False)
        self.plots = pg.GraphicsLayoutWidget()
        self.price_plot = self.plots.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.volume_plot = self.plots.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.plots.ci.layout.setRowStretchFactor(0, 4)
        self.plots.ci.layout.setRowStretchFactor(1, 1)
        self.volume_plot.setXLink(self.price_plot)
        for plot in (self.price_plot, self.volume_plot):
            plot.showAxis("right")
            plot.hideAxis("left")
            plot.setMenuEnabled(False)
            plot.getAxis("right").setWidth(70)
            for name in ("right", "bottom"):
                # An axis draws the grid too, so it covers the whole plot: any change in the
                # plot (a live candle, the last-price line, the crosshair) replayed every grid
                # line and label. Cached as a pixmap it is redrawn only when its range moves
                # (a third of a chart repaint's cost).
                plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.price_plot.hideAxis("bottom")
        self.price_plot.setAutoVisible(y=True)
        self.volume_plot.setAutoVisible(y=True)
        self.volume_plot.setMouseEnabled(y=False)
        self.candles = CandleItem()
        self.volume = CandleItem(volume=True)
        self.price_plot.addItem(self.candles)
        self.volume_plot.addItem(self.volume)
        self.last_line = GuideLine(angle=0, movable=False)
        self.last_line.setZValue(10)
        self.price_plot.addItem(self.last_line, ignoreBounds=True)
        self.cross_v = GuideLine(angle=90, movable=False)
        self.cross_v2 = GuideLine(angle=90, movable=False)
        self.cross_h = GuideLine(angle=0, movable=False)
        self.price_plot.addItem(self.cross_v, ignoreBounds=True)
        self.price_plot.addItem(self.cross_h, ignoreBounds=True)
        self.volume_plot.addItem(self.cross_v2, ignoreBounds=True)
        self._mouse = pg.SignalProxy(
            self.plots.scene().sigMouseMoved, rateLimit=60, slot=self._on_mouse
        )
        self.order_lines = OrderLines(self.price_plot, confirm_move)
        self.order_lines.move_requested.connect(self.move_requested)
        self.position_lines = PositionLines(self.price_plot)
        self.position_lines.level_moved.connect(self.level_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.plots)
        self.apply_theme()

    @property
    def symbol(self) -> str:
        return self._symbol

    @property
    def minutes(self) -> int:
        return int(self.interval_box.currentData())

    def set_interval(self, label: str) -> None:
        self.interval_box.setCurrentText(label)

    def set_symbol(self, symbol: str) -> None:
        if symbol == self._symbol and self.series is not None:
            return
        self._lease.follow(symbol)
        self._symbol = symbol
        self.header.set_symbol(symbol)
        self._orders_drawn = -1
        self._position_drawn = (-1, -1, -1)
        self.load()

    def set_gate(self, gate: Gate) -> None:
        self.order_lines.set_movable(gate.open)
        self.position_lines.set_movable(gate.open)

    def load(self) -> None:
        """Start loading the current symbol and interval; the panel stays responsive."""
        self.series = None
        self._drawn = (-1, -1, -1)
        self.candles.set_bars([], 60.0 * self.minutes)
        self.volume.set_bars([], 60.0 * self.minutes)
        self.busy.show()
        self.source_label.setText("loading history…")
        self._load_task = asyncio.ensure_future(self._load(self._symbol, self.minutes))

    async def _load(self, symbol: str, minutes: int) -> None:
        series = await self._session.market_data.load_candles(symbol, minutes)
        if (symbol, minutes) != (self._symbol, self.minutes):
            return  # the user moved on while this was loading
        self.series = series
        self.busy.hide()
        self.source_label.setText("" if series.source == "klines" else "built from trades")
        self.refresh()

    def refresh(self) -> None:
        self._refresh_orders()
        self._refresh_position()
        self._refresh_last()
        series = self.series
        if series is None or series.loading or not series.candles:
            return
        reloads, appended, _ = self._drawn
        if (series.reloads, series.appended, series.revision) == self._drawn:
            return
        width = series.span_ms / 1000.0
        drawn_count = len(self.candles.bars())
        if series.reloads != reloads or len(series) < drawn_count or drawn_count == 0:
            bars = [bar_of(c) for c in series.candles]
            self.candles.set_bars(bars, width)
            self.volume.set_bars(bars, width)
            last_t = bars[-1][0]
            self.price_plot.setXRange(
                last_t - VISIBLE_CANDLES * width, last_t + 4 * width, padding=0
            )
        elif series.appended != appended and len(series) > drawn_count:
            closed = [bar_of(c) for c in series.candles[drawn_count - 1 : -1]]
            last = bar_of(series.candles[-1])
            self._follow(closed, width)
            self.candles.append(closed, last)
            self.volume.append(closed, last)
        else:
            last = bar_of(series.candles[-1])
            self.candles.set_last(last)
            self.volume.set_last(last)
        self._drawn = (series.reloads, series.appended, series.revision)

    def apply_theme(self) -> None:
        theme = colors()
        self.plots.setBackground(theme.base)
        for plot in (self.price_plot, self.volume_plot):
            for name in ("right", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(theme.grid))
                axis.setTextPen(pg.mkPen(theme.muted))
            plot.showGrid(x=True, y=True, alpha=0.15)
        cross = pg.mkPen(theme.muted, style=Qt.PenStyle.DotLine)
        for line in (self.cross_v, self.cross_v2, self.cross_h):
            line.setPen(cross)
        self.last_line.setPen(pg.mkPen(theme.highlight, style=Qt.PenStyle.DashLine))
        self.candles.set_bars(self.candles.bars(), self.candles.width)
        self.volume.set_bars(self.volume.bars(), self.volume.width)
        self.order_lines.restyle()
        self.position_lines.restyle()

    def _follow(self, closed: list, width: float) -> None:
        """Keep the newest candle in view when the user was watching the right edge."""
        if not closed:
            return
        (left, right), _ = self.price_plot.viewRange()
        if right >= closed[0][0]:
            shift = len(closed) * width
            self.price_plot.setXRange(left + shift, right + shift, padding=0)

    def _refresh_orders(self) -> None:
        orders = self._session.trading.orders
        if orders.version == self._orders_drawn:
            return
        self._orders_drawn = orders.version
        mine = [o for o in orders.all() if o.symbol == self._symbol]
        self.order_lines.sync(mine, self._session.contracts.get(self._symbol))

    def _refresh_position(self) -> None:
        session = self._session
        drawn = (
            session.account.positions.version,
            session.trading.stop_orders.version,
            session.trading.brackets.version,
        )
        if drawn == self._position_drawn:
            return
        self._position_drawn = drawn
        self.position_lines.sync(
            session.account.positions.get(self._symbol),
            session.trading.protection(self._symbol),
            session.contracts.get(self._symbol),
        )

    def _refresh_last(self) -> None:
        ticker = self._session.market_data.tickers.get(self._symbol)
        last = ticker.last if ticker else None
        if last is None or last == self._last_drawn:
            return
        self._last_drawn = last
        self.last_line.setValue(float(last))

    def _on_mouse(self, event: tuple) -> None:
        position = event[0]
        box = self.price_plot.vb
        if not self.price_plot.sceneBoundingRect().contains(position):
            volume_box = self.volume_plot.vb
            if not self.volume_plot.sceneBoundingRect().contains(position):
                return
            point = volume_box.mapSceneToView(position)
            price = None
        else:
            point = box.mapSceneToView(position)
            price = point.y()
            self.cross_h.setValue(price)
        self.cross_v.setValue(point.x())
        self.cross_v2.setValue(point.x())
        self.crosshair_label.setText(self.crosshair_text(point.x(), price))

    def crosshair_text(self, t: float, price: float | None) -> str:
        """`time · price · OHLCV of the candle under the cursor`."""
        fmt = "%Y-%m-%d" if self.minutes >= 1440 else "%m-%d %H:%M"
        parts = [time.strftime(fmt, time.localtime(t))]
        contract = self._session.contracts.get(self._symbol)
        if price is not None and contract is not None:
            parts.append(price_text(contract, Decimal(repr(price)).quantize(contract.tick_size)))
        series = self.series
        if series is not None and series.candles:
            start = int(t * 1000) - int(t * 1000) % series.span_ms
            for candle in reversed(series.candles):
                if candle.start_ms == start:
                    parts.append(
                        f"O {candle.open:g} H {candle.high:g} L {candle.low:g} "
                        f"C {candle.close:g} V {candle.volume:g}"
                    )
                    break
                if candle.start_ms < start:
                    break
        return " · ".join(parts)
