"""Fill a CandleSeries with history: REST klines, or recent trades when klines are unavailable."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from kcterm.core.candles import CandleSeries
from kcterm.core.contract import to_decimal
from kcterm.core.journal import Journal
from kcterm.core.market import Trade
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient

log = logging.getLogger("kcterm.core.candle_loader")

KLINE_ROWS = 500  # the most one kline call returns (spec/REFERENCE.md 7.6)
NOT_OFFERED = {"404000", "400100"}  # no such endpoint, or the granularity is not accepted


async def load_history(
    rest: RestClient, journal: Journal, series: CandleSeries, tape: Iterable[Trade]
) -> None:
    """Load up to KLINE_ROWS candles ending now; fall back to trades (and say so)."""
    end = rest.now_ms()
    start = end - KLINE_ROWS * series.span_ms
    try:
        rows = await rest.klines(series.symbol, series.minutes, start, end)
    except KucoinError as exc:
        if exc.code not in NOT_OFFERED:
            journal.error(f"Loading {series.minutes} min candles failed", exc, series.symbol)
        else:
            journal.info(
                "Klines not offered by this exchange: candles are built from trades",
                series.symbol,
            )
        series.load_trades(await _trades(rest, series.symbol, tape))
        return
    series.load_klines(rows or [])


async def _trades(
    rest: RestClient, symbol: str, tape: Iterable[Trade]
) -> list[tuple[Decimal, int, int]]:
    trades = {t.trade_id: (t.price, t.size, t.ts_ns) for t in tape}
    try:
        for item in await rest.trade_history(symbol) or []:
            trades.setdefault(
                str(item.get("tradeId")),
                (to_decimal(item["price"]), int(item["size"]), int(item["ts"])),
            )
    except KucoinError as exc:
        log.info("trade history for %s unavailable: %s", symbol, exc)
    return list(trades.values())
