"""Watchlist columns: every contract's last price, 24 h change, volume, funding rate, mark."""

from __future__ import annotations

from PySide6.QtGui import QColor

from kcterm.core.contract import Contract
from kcterm.core.watchlist import WatchRow
from kcterm.ui.columns import Column, SpecTableModel
from kcterm.ui.formatting import compact_text, pct_text, price_text, rate_text, sort_number
from kcterm.ui.theme import colors


def watchlist_columns(contracts: dict[str, Contract]) -> list[Column[WatchRow]]:
    def price(row: WatchRow, value) -> str:
        return price_text(contracts.get(row.symbol), value)

    def last_color(row: WatchRow) -> QColor | None:
        return colors().side(row.last_side) if row.last_side else None

    def change_color(row: WatchRow) -> QColor | None:
        return colors().signed(float(row.change_pct)) if row.change_pct is not None else None

    def funding_color(row: WatchRow) -> QColor | None:
        return colors().signed(float(row.funding_rate)) if row.funding_rate is not None else None

    return [
        Column("Symbol", lambda r: r.symbol, align="left"),
        Column(
            "Last",
            lambda r: price(r, r.last),
            color=last_color,
            sort=lambda r: sort_number(r.last),
        ),
        Column(
            "24h %",
            lambda r: pct_text(r.change_pct),
            color=change_color,
            sort=lambda r: sort_number(r.change_pct),
        ),
        Column(
            "Volume",
            lambda r: compact_text(r.volume_24h),
            sort=lambda r: sort_number(r.turnover_24h or r.volume_24h),
            tooltip=lambda r: (
                f"24 h volume {r.volume_24h} (turnover {compact_text(r.turnover_24h)})"
            ),
        ),
        Column(
            "Funding",
            lambda r: rate_text(r.funding_rate),
            color=funding_color,
            sort=lambda r: sort_number(r.funding_rate),
        ),
        Column("Mark", lambda r: price(r, r.mark), sort=lambda r: sort_number(r.mark)),
    ]


class WatchlistModel(SpecTableModel[WatchRow]):
    def __init__(self, contracts: dict[str, Contract]) -> None:
        super().__init__(watchlist_columns(contracts), key=lambda r: r.symbol)
