"""Every contract with last price, 24 h change, volume, funding rate and mark price.

Sources, each optional (the list shows what it has):
- GET /api/v1/contracts/active (spec/REFERENCE.md 7.2): all fields at once; polled, so a
  venue without the live topics still shows fresh numbers,
- GET /api/v1/allTickers and the `ticker` topic (8.2): the last trade, live,
- `snapshot.24h` and `instrument` (8.2): 24 h statistics, mark price and funding rate, live.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.core.contract import to_decimal


def _dec(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return to_decimal(value)
    except (ArithmeticError, ValueError):
        return None


@dataclass(slots=True)
class WatchRow:
    symbol: str
    last: Decimal | None = None
    last_side: str = ""
    open_24h: Decimal | None = None  # price 24 h ago: the base of the change
    change_pct: Decimal | None = None  # percent, e.g. 1.25 for +1.25 %
    volume_24h: Decimal | None = None  # in the base currency (contracts/active volumeOf24h)
    turnover_24h: Decimal | None = None
    funding_rate: Decimal | None = None  # fraction per funding period
    mark: Decimal | None = None
    index: Decimal | None = None  # the index price (stop orders may trigger on it)
    version: int = 0

    def set_last(self, price: Decimal, side: str = "") -> None:
        self.last = price
        if side:
            self.last_side = side
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

    def load_contracts(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            row = self.row(str(item["symbol"]))
            last = _dec(item.get("lastTradePrice"))
            change = _dec(item.get("priceChg"))
            if last is not None and change is not None:
                row.open_24h = last - change
            elif (pct := _dec(item.get("priceChgPct"))) is not None:
                row.change_pct = pct * 100
            row.volume_24h = _dec(item.get("volumeOf24h"))
            row.turnover_24h = _dec(item.get("turnoverOf24h"))
            row.funding_rate = _dec(item.get("fundingFeeRate"))
            row.mark = _dec(item.get("markPrice")) or row.mark
            row.index = _dec(item.get("indexPrice")) or row.index
            if last:
                row.set_last(last)
            self._touch(row)

    def on_ticker(self, data: dict[str, Any]) -> None:
        """GET /api/v1/ticker, allTickers items and `ticker` frames: the last trade."""
        symbol = data.get("symbol")
        price = _dec(data.get("price"))
        if not symbol or not price:
            return
        row = self.row(str(symbol))
        row.set_last(price, str(data.get("side") or ""))
        self._touch(row)

    def on_snapshot_24h(self, data: dict[str, Any]) -> None:
        symbol = data.get("symbol")
        if not symbol:
            return
        row = self.row(str(symbol))
        row.open_24h = _dec(data.get("price24HoursBefore")) or row.open_24h
        row.volume_24h = _dec(data.get("volume")) or row.volume_24h
        row.turnover_24h = _dec(data.get("turnover")) or row.turnover_24h
        last = _dec(data.get("lastPrice"))
        if last:
            row.set_last(last)
        self._touch(row)

    def on_instrument(self, symbol: str, subject: str, data: dict[str, Any]) -> None:
        row = self.row(symbol)
        if subject == "mark.index.price":
            row.mark = _dec(data.get("markPrice")) or row.mark
            row.index = _dec(data.get("indexPrice")) or row.index
        elif subject == "funding.rate":
            rate = _dec(data.get("fundingRate"))
            if rate is not None:
                row.funding_rate = rate
        else:
            return
        self._touch(row)

    def _touch(self, row: WatchRow) -> None:
        row.version += 1
        self.version += 1
