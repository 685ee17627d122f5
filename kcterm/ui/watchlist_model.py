"""Watchlist columns: every contract's last price, 24 h change, volume, funding rate, mark."""

from __future__ import annotations

from collections.abc import Sequence

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
        self._versions: list[int] = []  # each row's WatchRow.version when its cells were made

    def set_rows(self, rows: Sequence[WatchRow]) -> None:
        """As SpecTableModel's, but a row whose version has not moved is not formatted again:
        of every contract's row a refresh finds a few changed."""
        rows = list(rows)
        if [r.symbol for r in rows] != self._keys:
            super().set_rows(rows)
            self._versions = [r.version for r in rows]
            return
        self._rows = rows
        for i, item in enumerate(rows):
            if item.version == self._versions[i]:
                continue
            self._versions[i] = item.version
            new = self._cells_for(item)
            old = self._cells[i]
            if new == old:
                continue
            changed = [c for c in range(len(new)) if new[c] != old[c]]
            self._cells[i] = new
            self.cells_signalled += len(changed)
            self.dataChanged.emit(self.index(i, changed[0]), self.index(i, changed[-1]))

    def text_widths(self) -> tuple[int, ...]:
        """The length of the longest text in each column (the panel refits when it moves)."""
        cells = self._cells
        columns = range(len(self.columns))
        return tuple(max((len(row[c]) for row in cells), default=0) for c in columns)
