"""The chart's position lines: entry, liquidation price, and each stop-loss and take-profit.

Entry and liquidation are drawn where the exchange says they are. SL and TP lines can be
dragged: on release (sigPositionChangeFinished, never while dragging) the new level, snapped to
the tick, is asked for as an edit of that TP/SL (cancel-and-replace, decided by the window);
the line goes back until the exchange's stop-order feed shows the replacement.
"""

from __future__ import annotations

from decimal import Decimal

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal

from kcterm.core.contract import Contract
from kcterm.core.positions import Position
from kcterm.core.protection import Level
from kcterm.ui.formatting import price_text
from kcterm.ui.order_lines import snap_to_tick
from kcterm.ui.theme import colors


class PositionLines(QObject):
    level_moved = Signal(str, str, Decimal)  # stop order id, "SL" | "TP", new price

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot
        self.lines: dict[str, pg.InfiniteLine] = {}  # "entry", "liq", "<order id>:SL|TP"
        self._values: dict[str, Decimal] = {}
        self._labels: dict[str, str] = {}
        self._contract: Contract | None = None
        self._movable = False

    def set_movable(self, movable: bool) -> None:
        self._movable = movable
        for key, line in self.lines.items():
            if ":" in key:
                line.setMovable(movable)

    def sync(self, position: Position | None, levels: list[Level], contract: Contract | None):
        self._contract = contract
        wanted: dict[str, tuple[Decimal, str]] = {}
        if position is not None and position.qty:
            sign = "+" if position.qty > 0 else "−"
            wanted["entry"] = (
                position.avg_entry,
                f"Entry {price_text(contract, position.avg_entry)} · {sign}{abs(position.qty)}",
            )
            if position.liquidation_price > 0:
                liq = position.liquidation_price
                if contract is not None:
                    liq = liq.quantize(contract.tick_size)
                wanted["liq"] = (liq, f"Liq. {price_text(contract, liq)}")
        for level in levels:
            key = f"{level.order_id}:{level.kind}"
            wanted[key] = (level.price, f"{level.kind} {price_text(contract, level.price)}")
        for key in list(self.lines):
            if key not in wanted:
                self._plot.removeItem(self.lines.pop(key))
                self._values.pop(key, None)
                self._labels.pop(key, None)
        for key, (price, label) in wanted.items():
            line = self.lines.get(key)
            if line is None:
                line = self._make(key, price, label)
                self.lines[key] = line
                self._plot.addItem(line, ignoreBounds=True)
            elif not line.moving and (self._values.get(key), self._labels.get(key)) != (
                price,
                label,
            ):
                line.setValue(float(price))
                line.label.setFormat(label)
            self._values[key] = price
            self._labels[key] = label

    def value(self, key: str) -> Decimal | None:
        return self._values.get(key)

    def drop(self, key: str, value: float) -> None:
        """A release of an SL/TP line at `value` (also called by tests, as a drag would)."""
        line = self.lines.get(key)
        old = self._values.get(key)
        if line is None or old is None or self._contract is None or ":" not in key:
            return
        line.setValue(float(old))  # back until the feed shows the replacement
        price = snap_to_tick(value, self._contract)
        if price == old or price <= 0 or not self._movable:
            return
        order_id, kind = key.split(":")
        self.level_moved.emit(order_id, kind, price)

    def restyle(self) -> None:
        for key, line in self.lines.items():
            line.setPen(self._pen(key))
            line.label.fill = pg.mkBrush(self._color(key))

    def _make(self, key: str, price: Decimal, label: str) -> pg.InfiniteLine:
        movable = ":" in key and self._movable
        line = pg.InfiniteLine(
            pos=float(price),
            angle=0,
            movable=movable,
            pen=self._pen(key),
            hoverPen=pg.mkPen(colors().own_order, width=2) if ":" in key else None,
            label=label,
            labelOpts={
                "position": 0.72 if key in ("entry", "liq") else 0.86,
                "anchors": [(1, 1), (1, 0)],
                "color": "#ffffff",
                "fill": pg.mkBrush(self._color(key)),
                "movable": False,
            },
        )
        line.setZValue(15)
        if ":" in key:
            line.sigPositionChangeFinished.connect(lambda ln, k=key: self.drop(k, ln.value()))
        return line

    @staticmethod
    def _color(key: str) -> str:
        theme = colors()
        if key == "entry":
            return theme.highlight
        if key == "liq" or key.endswith(":SL"):
            return theme.ask
        return theme.bid

    def _pen(self, key: str):
        style = {
            "entry": Qt.PenStyle.SolidLine,
            "liq": Qt.PenStyle.DashDotLine,
        }.get(key, Qt.PenStyle.DashLine)
        return pg.mkPen(self._color(key), width=2 if key == "liq" else 1, style=style)
