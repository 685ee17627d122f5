"""Every contract with last price, 24 h change, volume, funding rate and mark price.

Sources, each optional (the list shows what it has), all typed values (venue.events):
- the contract list's DayStats (polled, so a venue without live feeds still shows fresh
  numbers),
- LastPrice: the last trade of every contract, live, and once by REST at start,
- a leased symbol's DayStats, MarkIndex and FundingRate feeds, live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kcterm.venue.events import DayStats, FundingRate, LastPrice, MarkIndex


@dataclass(slots=True)
class WatchRow:
    symbol: str
    last: Decimal | None = None
    last_side: str = ""
    open_24h: Decimal | None = None  # price 24 h ago: the base of the change
    change_pct: Decimal | None = None  # percent, e.g. 1.25 for +1.25 %
    volume_24h: Decimal | None = None  # in the base currency
    turnover_24h: Decimal | None = None
    funding_rate: Decimal | None = None  # fraction per funding period
    mark: Decimal | None = None
    index: Decimal | None = None  # the index price (stop orders may trigger on it)
    version: int = 0

    def set_last(self, price: Decimal, side: str = "") -> None:
        self.last = price
        if side:
            self.last_side = str(side)
        if self.open_24h:
            self.change_pct = (price - self.open_24h) / self.open_24h * 100


class Watchlist:
    def __init__(self) -> None:
        self.rows: dict[str, WatchRow] = {}
        self.version = 0

    def symbols(self) -> list[str]:
        return list(self.rows)

    def row(self, symbol: str) -> WatchRow:
        row = self.rows.get(symbol)
        if row is None:
            row = self.rows[symbol] = WatchRow(symbol)
        return row

    def load_stats(self, items: Iterable[DayStats]) -> None:
        """The contract list's statistics (all fields at once)."""
        for stats in items:
            row = self.row(stats.symbol)
            last = stats.last
            if last is not None and stats.change is not None:
                row.open_24h = last - stats.change
            elif stats.change_fraction is not None:
                row.change_pct = stats.change_fraction * 100
            row.volume_24h = stats.volume
            row.turnover_24h = stats.turnover
            row.funding_rate = stats.funding_rate
            row.mark = stats.mark or row.mark
            row.index = stats.index or row.index
            if last:
                row.set_last(last)
            self._touch(row)

    def on_last_price(self, last: LastPrice) -> None:
        row = self.row(last.symbol)
        row.set_last(last.price, last.side or "")
        self._touch(row)

    def on_day_stats(self, stats: DayStats) -> None:
        """A live 24 h statistics update: what it leaves out stays as it was."""
        row = self.row(stats.symbol)
        row.open_24h = stats.open_24h or row.open_24h
        row.volume_24h = stats.volume or row.volume_24h
        row.turnover_24h = stats.turnover or row.turnover_24h
        if stats.last:
            row.set_last(stats.last)
        self._touch(row)

    def on_mark(self, mark: MarkIndex) -> None:
        row = self.row(mark.symbol)
        row.mark = mark.mark or row.mark
        row.index = mark.index or row.index
        self._touch(row)

    def on_funding(self, rate: FundingRate) -> None:
        row = self.row(rate.symbol)
        row.funding_rate = rate.rate
        self._touch(row)

    def _touch(self, row: WatchRow) -> None:
        row.version += 1
        self.version += 1
