"""Open orders columns; the last column is a cancel cell."""

from __future__ import annotations

from kcterm.core.contract import Contract
from kcterm.core.orders import OpenOrder
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import clock_text, price_text, size_text, sort_number
from kcterm.ui.theme import colors


def open_order_columns(contracts: dict[str, Contract]) -> list[Column[OpenOrder]]:
    return [
        Column("Time", lambda o: clock_text(o.order_time_ns / 1e9), "left"),
        Column("Symbol", lambda o: o.symbol, "left"),
        Column("Side", lambda o: o.side.upper(), "left", color=lambda o: colors().side(o.side)),
        Column("Type", lambda o: o.order_type, "left"),
        Column(
            "Price",
            lambda o: price_text(contracts.get(o.symbol), o.price),
            sort=lambda o: sort_number(o.price),
        ),
        Column("Size", lambda o: size_text(o.size)),
        Column("Filled", lambda o: size_text(o.filled_size)),
        Column("Status", lambda o: o.status, "left"),
        Column("", lambda o: "✕ Cancel", "center", tooltip=lambda o: "Cancel this order"),
    ]


CANCEL_COLUMN = 8


class OpenOrdersModel(SpecTableModel[OpenOrder]):
    def __init__(self, contracts: dict[str, Contract]) -> None:
        super().__init__(open_order_columns(contracts), key=lambda o: o.order_id)

    def order_at(self, row: int) -> OpenOrder:
        return self.row_at(row)
