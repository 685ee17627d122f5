"""Fill a CandleSeries with history: the venue's klines, or recent trades when it has none."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from kcterm.core.candles import CandleSeries
from kcterm.core.journal import EntryKind, Journal
from kcterm.venue.errors import VenueError
from kcterm.venue.events import Trade
from kcterm.venue.market import MarketSource

log = logging.getLogger("kcterm.core.candle_loader")

KLINE_ROWS = 500  # the most one kline call returns (spec/REFERENCE.md 7.6)


async def load_history(
    source: MarketSource, journal: Journal, series: CandleSeries, tape: Iterable[Trade]
) -> None:
    """Load up to KLINE_ROWS candles ending now; fall back to trades (and say so)."""
    end = source.now_ms()
    start = end - KLINE_ROWS * series.span_ms
    try:
        rows = await source.klines(series.symbol, series.minutes, start, end)
    except VenueError as exc:
        # journal.error takes the adapter's error type; the trader's sentence is the same.
        journal.add(
            EntryKind.ERROR,
            f"Loading {series.minutes} min candles failed: {exc.trader_text} ({exc.msg})",
            symbol=series.symbol,
            code=exc.code,
        )
        rows = None
    else:
        if rows is None:
            journal.info(
                "Klines not offered by this exchange: candles are built from trades",
                series.symbol,
            )
    if rows is None:
        series.load_trades(await _trades(source, series.symbol, tape))
        return
    series.load_klines(rows)


async def _trades(
    source: MarketSource, symbol: str, tape: Iterable[Trade]
) -> list[tuple[Decimal, int, int]]:
    trades = {t.trade_id: (t.price, t.size, t.ts_ns) for t in tape}
    try:
        for trade in await source.trades(symbol):
            trades.setdefault(trade.trade_id, (trade.price, trade.size, trade.ts_ns))
    except VenueError as exc:
        log.info("trade history for %s unavailable: %s", symbol, exc)
    return list(trades.values())
