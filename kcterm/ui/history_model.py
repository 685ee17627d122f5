"""Order history columns: what each done order was and how it ended."""

from __future__ import annotations

from PySide6.QtGui import QColor

from kcterm.core.contract import Contract
from kcterm.core.order_history import DoneOrder
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import DASH, clock_text, price_text, size_text
from kcterm.ui.theme import colors


def history_columns(contracts: dict[str, Contract]) -> list[Column[DoneOrder]]:
    def price(order: DoneOrder, value) -> str:
        return price_text(contracts.get(order.symbol), value) if value is not None else DASH

    def result_color(order: DoneOrder) -> QColor:
        return QColor(colors().text if order.result == "filled" else colors().muted)

    return [
        Column("Done", lambda o: clock_text(o.done_ms / 1000) if o.done_ms else DASH, "left"),
        Column("Symbol", lambda o: o.symbol, "left"),
        Column("Side", lambda o: o.side.upper(), "left", color=lambda o: colors().side(o.side)),
        Column("Type", lambda o: o.order_type, "left"),
        Column("Price", lambda o: price(o, o.price)),
        Column("Size", lambda o: size_text(o.size)),
        Column("Filled", lambda o: size_text(o.filled_size)),
        Column("Avg price", lambda o: price(o, o.avg_price)),
        Column("Result", lambda o: o.result, "left", color=result_color),
    ]


class HistoryModel(SpecTableModel[DoneOrder]):
    def __init__(self, contracts: dict[str, Contract]) -> None:
        super().__init__(history_columns(contracts), key=lambda o: o.order_id)
