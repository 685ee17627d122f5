"""Candle building: REST klines, live trades, and merging the two (core.candles)."""

from decimal import Decimal

from kcterm.core.candles import CandleSeries
from kcterm.venue.kucoin import market_events as parse

MIN = 60_000
NS = 1_000_000  # ns per ms


def test_trades_update_the_last_candle_then_open_a_new_one() -> None:
    series = CandleSeries("XBTUSDTM", 1)
    series.on_trade(Decimal("100"), 2, 10 * MIN * NS + 5)
    series.on_trade(Decimal("103"), 1, 10 * MIN * NS + 30_000 * NS)
    series.on_trade(Decimal("99"), 4, 10 * MIN * NS + 59_000 * NS)
    assert len(series) == 1 and series.appended == 1
    candle = series.candles[0]
    assert (candle.open, candle.high, candle.low, candle.close, candle.volume) == (
        100,
        103,
        99,
        99,
        7,
    )
    series.on_trade(Decimal("101"), 1, 11 * MIN * NS)
    assert len(series) == 2 and series.appended == 2 and series.candles[1].start_ms == 11 * MIN


def test_late_trade_for_an_old_candle_is_ignored() -> None:
    series = CandleSeries("XBTUSDTM", 1)
    series.on_trade(Decimal("100"), 1, 11 * MIN * NS)
    revision = series.revision
    series.on_trade(Decimal("50"), 1, 10 * MIN * NS)
    assert series.revision == revision and series.candles[0].low == 100


def test_klines_load_keeps_trades_that_arrived_meanwhile() -> None:
    series = CandleSeries("XBTUSDTM", 1)
    series.on_trade(Decimal("105"), 3, 2 * MIN * NS + 1)  # same bucket as the last kline
    series.on_trade(Decimal("107"), 1, 3 * MIN * NS)  # newer than every kline
    series.load_klines(
        parse.klines(
            [
                [0, 100, 101, 99, 100, 10],
                [MIN, 100, 102, 98, 101, 5],
                [2 * MIN, 101, 104, 100, 103, 2],
            ]
        )
    )
    assert [c.start_ms for c in series.candles] == [0, MIN, 2 * MIN, 3 * MIN]
    merged = series.candles[2]
    assert merged.high == 105 and merged.close == 105 and merged.volume == 3
    assert series.source == "klines" and not series.loading and series.reloads == 1


def test_history_from_trades_in_any_order() -> None:
    series = CandleSeries("XBTUSDTM", 5)
    trades = [
        (Decimal("10"), 1, 6 * MIN * NS),
        (Decimal("9"), 2, 1 * MIN * NS),
        (Decimal("11"), 1, 2 * MIN * NS),
    ]
    series.load_trades(trades)
    assert [c.start_ms for c in series.candles] == [0, 5 * MIN]
    first = series.candles[0]
    assert (first.open, first.close, first.high, first.volume) == (9, 11, 11, 3)
    assert series.source == "trades"
