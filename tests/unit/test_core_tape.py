"""The trade tape: live trades first, REST history behind them, nothing twice."""

from kcterm.core.market import TradeTape
from kcterm.venue.kucoin import market_events as parse


def item(tid: str, ts: int, size: int = 1) -> dict:
    return {"tradeId": tid, "ts": ts, "price": "100", "size": size, "side": "buy"}


def test_backfill_goes_behind_live_trades_without_duplicates() -> None:
    tape = TradeTape(maxlen=4)
    tape.on_trade(parse.trade(item("9", 900)))
    added = tape.backfill(
        parse.trades([item("9", 900), item("5", 500), item("7", 700), item("99", 990)])
    )
    assert added == 2
    assert [t.trade_id for t in tape.trades] == ["9", "7", "5"]  # 99 is newer than live: skipped


def test_backfill_respects_the_bound() -> None:
    tape = TradeTape(maxlen=2)
    tape.on_trade(parse.trade(item("9", 900)))
    tape.backfill(parse.trades([item(str(i), i) for i in range(1, 6)]))
    assert [t.trade_id for t in tape.trades] == ["9", "5"]
