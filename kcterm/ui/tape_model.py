"""Trades tape columns: time, price, size, side; coloured by the taker's side, large prints lit."""

from __future__ import annotations

import statistics

from PySide6.QtGui import QColor

from kcterm.core.contract import Contract
from kcterm.core.market import Trade
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import clock_text, price_text, size_text
from kcterm.ui.theme import colors

AUTO_LARGE_FACTOR = 5  # "auto": a print this many times the median size is large


class TapeModel(SpecTableModel[Trade]):
    def __init__(self) -> None:
        self.contract: Contract | None = None
        self.large_size = 0  # 0: auto from the tape itself
        self._auto_large = 0
        super().__init__(self._columns(), key=lambda t: (t.trade_id, t.ts_ns), immutable=True)

    def is_large(self, trade: Trade) -> bool:
        threshold = self.large_size or self._auto_large
        return threshold > 0 and trade.size >= threshold

    def set_trades(self, trades: list[Trade], contract: Contract | None) -> None:
        if contract is not self.contract:
            self.contract = contract
            self.set_rows([])  # new symbol: old rows were formatted for another contract
        if trades and not self.large_size:
            median = statistics.median_low(t.size for t in trades[:200])
            self._auto_large = max(2, AUTO_LARGE_FACTOR * median)
        self.set_rows(trades)

    @property
    def threshold(self) -> int:
        return self.large_size or self._auto_large

    def _columns(self) -> list[Column[Trade]]:
        def side_color(trade: Trade) -> QColor:
            return colors().side(trade.side)

        def large(trade: Trade) -> QColor | None:
            return QColor(colors().large_trade) if self.is_large(trade) else None

        return [
            Column("Time", lambda t: clock_text(t.ts_ns / 1e9, millis=True), background=large),
            Column(
                "Price",
                lambda t: price_text(self.contract, t.price),
                color=side_color,
                background=large,
            ),
            Column("Size", lambda t: size_text(t.size), color=side_color, background=large),
            Column("Side", lambda t: t.side.upper(), "center", color=side_color, background=large),
        ]
