"""Stop orders columns: waiting stops and TP/SL st-orders, with what they watch and a cancel
cell. A TP/SL placed here shows both of its levels (the exchange's lists show only one)."""

from __future__ import annotations

from kcterm.core.contract import Contract
from kcterm.core.protection import BracketBook
from kcterm.core.stop_orders import StopOrder
from kcterm.core.validation import TRIGGERS
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import DASH, price_text, size_text
from kcterm.ui.theme import colors


def stop_order_columns(
    contracts: dict[str, Contract], brackets: BracketBook
) -> list[Column[StopOrder]]:
    def kind(order: StopOrder) -> str:
        if brackets.get(order.order_id) is not None:
            return "TP/SL"
        return "stop limit" if order.price else "stop market"

    def trigger(order: StopOrder) -> str:
        contract = contracts.get(order.symbol)
        plan = brackets.get(order.order_id)
        if plan is not None:
            parts = [
                f"{name} {price_text(contract, level)}"
                for name, level in (("SL", plan.stop_loss), ("TP", plan.take_profit))
                if level is not None
            ]
            return " · ".join(parts)
        arrow = {"up": "≥", "down": "≤"}.get(order.stop, "?")
        return f"{arrow} {price_text(contract, order.stop_price)}"

    return [
        Column("Symbol", lambda o: o.symbol, "left"),
        Column("Side", lambda o: o.side.upper(), "left", color=lambda o: colors().side(o.side)),
        Column("Type", kind, "left"),
        Column("Watches", lambda o: TRIGGERS[o.trigger] if o.trigger else DASH, "left"),
        Column("Trigger", trigger),
        Column(
            "Price",
            lambda o: price_text(contracts.get(o.symbol), o.price) if o.price else "market",
        ),
        Column("Size", lambda o: size_text(o.size) if o.size else "position"),
        Column("", lambda o: "✕ Cancel", "center", tooltip=lambda o: "Cancel this stop order"),
    ]


STOP_CANCEL_COLUMN = 7


class StopOrdersModel(SpecTableModel[StopOrder]):
    def __init__(self, contracts: dict[str, Contract], brackets: BracketBook) -> None:
        super().__init__(stop_order_columns(contracts, brackets), key=lambda o: o.order_id)
