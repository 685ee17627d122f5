"""The user's open orders as horizontal lines on the chart; dragging one moves the order.

Lines are `InfiniteLine(movable=True)` and act on `sigPositionChangeFinished` only (on
release, never while dragging). The dropped position is snapped to the contract's tick as a
Decimal made from the tick, then the window asks for confirmation; declined or failed, the line
goes back to the order's price, which only the exchange's order feed ever changes.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal

from kcterm.core.contract import Contract
from kcterm.core.orders import OpenOrder
from kcterm.ui.formatting import price_text
from kcterm.ui.theme import colors

# Asked before an order is moved: (order, new price) -> go ahead? An awaitable answer is
# awaited on the loop (ui.ask): a drop never runs a nested event loop.
ConfirmMove = Callable[[OpenOrder, Decimal], bool | Awaitable[bool]]


def snap_to_tick(value: float, contract: Contract) -> Decimal:
    """The tick-grid price nearest to a chart coordinate."""
    ticks = (Decimal(repr(value)) / contract.tick_size).to_integral_value(rounding=ROUND_HALF_UP)
    return ticks * contract.tick_size


class OrderLines(QObject):
    move_requested = Signal(str, Decimal)  # order id, new price (after confirmation)

    def __init__(self, plot: pg.PlotItem, confirm: ConfirmMove) -> None:
        super().__init__()
        self._plot = plot
        self._confirm = confirm
        self.lines: dict[str, pg.InfiniteLine] = {}
        self._orders: dict[str, OpenOrder] = {}
        self._contract: Contract | None = None
        self._movable = False
        self._asking: set[asyncio.Task[Any]] = set()

    def set_movable(self, movable: bool) -> None:
        self._movable = movable
        for line in self.lines.values():
            line.setMovable(movable)

    def sync(self, orders: list[OpenOrder], contract: Contract | None) -> None:
        """Match the lines to the symbol's open limit orders (a line being dragged stays)."""
        self._contract = contract
        wanted = {o.order_id: o for o in orders if o.order_type == "limit"}
        for order_id in list(self.lines):
            if order_id not in wanted:
                self._plot.removeItem(self.lines.pop(order_id))
                self._orders.pop(order_id, None)
        for order_id, order in wanted.items():
            line = self.lines.get(order_id)
            if line is None:
                line = self._make_line(order)
                self.lines[order_id] = line
                self._plot.addItem(line, ignoreBounds=True)
            elif not line.moving and self._orders[order_id] != order:
                line.setValue(float(order.price))
                line.label.setFormat(self._label(order))
            self._orders[order_id] = order

    def restyle(self) -> None:
        for order_id, line in self.lines.items():
            order = self._orders[order_id]
            line.setPen(self._pen(order))
            line.label.fill = pg.mkBrush(colors().side(order.side))

    def drop(self, order_id: str, value: float) -> None:
        """What a release at `value` does (also called by tests, as a drag would)."""
        order = self._orders.get(order_id)
        line = self.lines.get(order_id)
        if order is None or line is None or self._contract is None:
            return
        price = snap_to_tick(value, self._contract)
        if price == order.price or price <= 0 or not self._movable:
            line.setValue(float(order.price))
            return
        line.setValue(float(price))
        verdict = self._confirm(order, price)
        if inspect.isawaitable(verdict):
            task = asyncio.ensure_future(self._decided(order, price, verdict))
            self._asking.add(task)
            task.add_done_callback(self._asking.discard)
        else:
            self._decide(order, price, verdict)

    async def _decided(self, order: OpenOrder, price: Decimal, verdict: Awaitable[bool]) -> None:
        self._decide(order, price, await verdict)

    def _decide(self, order: OpenOrder, price: Decimal, go: bool) -> None:
        if go:
            self.move_requested.emit(order.order_id, price)
        else:
            self.reset(order.order_id)

    def reset(self, order_id: str) -> None:
        """Put a line back at its order's price (after a failed move)."""
        order = self._orders.get(order_id)
        line = self.lines.get(order_id)
        if order is not None and line is not None:
            line.setValue(float(order.price))

    def _make_line(self, order: OpenOrder) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            pos=float(order.price),
            angle=0,
            movable=self._movable,
            pen=self._pen(order),
            hoverPen=pg.mkPen(colors().own_order, width=2),
            label=self._label(order),
            labelOpts={
                # Buys and sells labelled at different places, so close orders stay readable.
                "position": 0.01 if order.side == "buy" else 0.2,
                "anchors": [(0, 1), (0, 0)],  # the label's left edge at `position`, above
                "color": "#ffffff",
                "fill": pg.mkBrush(colors().side(order.side)),
                "movable": False,
            },
        )
        line.setZValue(20)
        order_id = order.order_id
        line.sigPositionChangeFinished.connect(lambda ln: self.drop(order_id, ln.value()))
        return line

    def _label(self, order: OpenOrder) -> str:
        return f"{order.side.upper()} {order.remaining} @ {price_text(self._contract, order.price)}"

    @staticmethod
    def _pen(order: OpenOrder) -> pg.QtGui.QPen:
        return pg.mkPen(colors().side(order.side), width=1, style=Qt.PenStyle.DashLine)
