"""Fills columns: our own trades, newest first, with their value and the side of the book."""

from __future__ import annotations

from kcterm.core.contract import Contract
from kcterm.core.fills import Fill
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import clock_text, price_text, size_text
from kcterm.ui.theme import colors


def fill_columns(contracts: dict[str, Contract]) -> list[Column[Fill]]:
    def value(fill: Fill) -> str:
        contract = contracts.get(fill.symbol)
        if contract is None:
            return ""
        # In the settlement currency: coins, to the satoshi, for an inverse contract.
        return f"{contract.value(fill.size, fill.price):,.{contract.money_places}f}"

    return [
        Column("Time", lambda f: clock_text(f.ts_ns / 1e9, millis=True), "left"),
        Column("Symbol", lambda f: f.symbol, "left"),
        Column("Side", lambda f: f.side.upper(), "left", color=lambda f: colors().side(f.side)),
        Column("Price", lambda f: price_text(contracts.get(f.symbol), f.price)),
        Column("Size", lambda f: size_text(f.size)),
        Column("Value", value),
        Column("Liquidity", lambda f: f.liquidity, "left"),
        Column("Order", lambda f: f.order_id, "left"),
    ]


class FillsModel(SpecTableModel[Fill]):
    def __init__(self, contracts: dict[str, Contract]) -> None:
        super().__init__(fill_columns(contracts), key=lambda f: f.trade_id, immutable=True)
