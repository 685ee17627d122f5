"""Candles for the chart: history from the venue's klines (spec/REFERENCE.md 7.6), live
updates from trades.

Live candles are built from the execution feed rather than limitCandle: executions are exact and
per trade, while limitCandle comes at most once a second and KuCoin flags its volume as wrong.
When the exchange has no klines endpoint, history is built from recent trades the same way.

Values are floats: they only position pixels. Prices that go back into an order are made again
from the contract's tick (see ui/order_lines.py), never from these numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kcterm.venue.events import Kline

# label -> minutes, the granularities the kline endpoint accepts (spec/REFERENCE.md 7.6)
INTERVALS: dict[str, int] = {"1m": 1, "5m": 5, "15m": 15, "1h": 60, "4h": 240, "1d": 1440}


@dataclass(slots=True)
class Candle:
    start_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float

    def add_trade(self, price: float, size: float) -> None:
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += size


class CandleSeries:
    """Candles of one symbol at one granularity, oldest first.

    `appended` counts candles ever added at the end and `revision` moves on any change, so
    the chart appends new candles and redraws only the last one instead of everything.
    """

    def __init__(self, symbol: str, minutes: int, max_candles: int = 2000) -> None:
        self.symbol = symbol
        self.minutes = minutes
        self.span_ms = minutes * 60_000
        self.candles: list[Candle] = []
        self.max_candles = max_candles
        self.appended = 0
        self.revision = 0
        self.reloads = 0  # moves when history is replaced: the chart redraws everything then
        self.source = ""  # "klines" | "trades": where the history came from
        self.loading = True

    def __len__(self) -> int:
        return len(self.candles)

    def bucket(self, ts_ms: int) -> int:
        return ts_ms - ts_ms % self.span_ms

    def on_trade(self, price: Decimal | float, size: int, ts_ns: int) -> None:
        start = self.bucket(ts_ns // 1_000_000)
        value = float(price)
        last = self.candles[-1] if self.candles else None
        if last is not None and start == last.start_ms:
            last.add_trade(value, size)
        elif last is None or start > last.start_ms:
            self.candles.append(Candle(start, value, value, value, value, float(size)))
            self.appended += 1
            if len(self.candles) > self.max_candles:
                del self.candles[0]
        else:
            return  # a late trade for an older candle: history already has it
        self.revision += 1

    def load_klines(self, rows: Iterable[Kline]) -> None:
        """Replace history with the venue's candles."""
        history = [
            Candle(
                k.start_ms,
                float(k.open),
                float(k.high),
                float(k.low),
                float(k.close),
                float(k.volume),
            )
            for k in rows
        ]
        self._replace(history, "klines")

    def load_trades(self, trades: Iterable[tuple[Decimal | float, int, int]]) -> None:
        """Replace history with candles built from (price, size, ts_ns) trades, any order."""
        built = CandleSeries(self.symbol, self.minutes)
        for price, size, ts_ns in sorted(trades, key=lambda t: t[2]):
            built.on_trade(price, size, ts_ns)
        self._replace(built.candles, "trades")

    def _replace(self, history: list[Candle], source: str) -> None:
        history.sort(key=lambda c: c.start_ms)
        live = self.candles
        if history and live:
            # Trades that arrived while the request was out must not be lost: keep live
            # candles after the history, and merge the one bucket they share.
            edge = history[-1]
            for candle in live:
                if candle.start_ms == edge.start_ms:
                    edge.high = max(edge.high, candle.high)
                    edge.low = min(edge.low, candle.low)
                    edge.close = candle.close
                    edge.volume = max(edge.volume, candle.volume)
            history.extend(c for c in live if c.start_ms > edge.start_ms)
        elif not history:
            history = live
        self.candles = history[-self.max_candles :]
        self.source = source
        self.loading = False
        self.appended += 1
        self.reloads += 1
        self.revision += 1
