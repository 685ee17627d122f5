"""KuCoin market JSON -> typed values (venue.kucoin.market_events): what each parser makes
of real payloads, and that what cannot be true is refused with a reason, never half-read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kcterm.core.contract import Contract
from kcterm.venue.events import BookDelta, DayStats, FundingRate, MarkIndex, Side
from kcterm.venue.kucoin import market_events as parse

D = Decimal


def test_a_level2_change_becomes_the_same_book_delta_its_constructor_makes() -> None:
    delta = parse.book_delta("XBTUSDTM", 18, "3988.61,sell,0")
    expected = BookDelta("XBTUSDTM", 18, Side.SELL, D("3988.61"), 0)
    assert delta == expected and hash(delta) == hash(expected)
    assert type(delta) is BookDelta and delta._asdict() == expected._asdict()
    with pytest.raises(AttributeError):
        delta.size = 5  # type: ignore[misc]
    frame = {
        "topic": "/contractMarket/level2:XBTUSDTM",
        "data": {"sequence": "19", "change": "3988.5,buy,44", "timestamp": 1},
    }
    assert parse.level2_frame("XBTUSDTM", frame) == BookDelta(
        "XBTUSDTM", 19, Side.BUY, D("3988.5"), 44, 1_000_000
    )
    # The venue's time (ms) in ns; one that is not a whole number of ms is no time, and no
    # reason to lose the change.
    for stamp in ("1", 1.5, True, None):
        frame["data"]["timestamp"] = stamp  # type: ignore[index]
        assert parse.level2_frame("XBTUSDTM", frame).ts_ns == 0
    del frame["data"]["timestamp"]  # type: ignore[attr-defined]
    assert parse.level2_frame("XBTUSDTM", frame).size == 44


@pytest.mark.parametrize(
    "change",
    [
        "1_00,buy,1",
        "1e3,buy,1",
        " 100,buy,1",
        "NaN,buy,1",
        ".5,buy,1",
        "5.,buy,1",
        "0,buy,1",
        "100,hold,1",
        "100,buy,-1",
        "100,buy,1.5",
        "100,buy,²",
        "100,buy",
        "100,buy,1,2",
        "",
        "1000000000000000,buy,1",
        "１００,buy,1",
    ],
)
def test_an_impossible_change_is_refused_with_the_reason(change: str) -> None:
    with pytest.raises(parse.BadMarketData, match="change"):
        parse.book_delta("X", 5, change)


@pytest.mark.parametrize("sequence", [True, -1, 1.5, "1_0", None, "x"])
def test_an_impossible_sequence_is_refused(sequence: object) -> None:
    with pytest.raises(parse.BadMarketData, match="sequence"):
        parse.book_delta("X", sequence, "100,buy,1")


def test_a_snapshot_is_read_whole_or_refused_whole() -> None:
    snap = parse.book_snapshot(
        "X", {"sequence": 7, "bids": [["99.9", 3], ["99.8", 0]], "asks": [[100.1, 4]]}
    )
    assert snap.sequence == 7 and snap.bids == ((D("99.9"), 3),) and snap.asks == ((D("100.1"), 4),)
    with pytest.raises(parse.BadMarketData):
        parse.book_snapshot("X", {"sequence": 7, "bids": [["99.9", -3]], "asks": []})


def test_touch_trades_and_the_rest_ticker() -> None:
    top = parse.top_of_book(
        {
            "symbol": "X",
            "sequence": 3,
            "bestBidPrice": "99.5",
            "bestBidSize": 2,
            "bestAskPrice": "",
            "bestAskSize": 0,
            "ts": 9,
        }
    )
    assert top.best_bid == D("99.5") and top.best_ask == 0 and top.ts_ns == 9
    trade = parse.trade(
        {"symbol": "X", "tradeId": "t1", "side": "sell", "price": "99.5", "size": 3, "ts": 1_000}
    )
    assert (trade.side, trade.price, trade.size, trade.trade_id) == (Side.SELL, D("99.5"), 3, "t1")
    with pytest.raises(parse.BadMarketData):
        parse.trade({"symbol": "X", "side": "both", "price": "1", "size": 1})
    assert [
        t.trade_id
        for t in parse.trades(
            [{"side": "x"}, {**{"side": "buy"}, "price": 1, "size": 1, "tradeId": "ok"}]
        )
    ] == ["ok"]
    ticker = parse.ticker_snapshot(
        {"symbol": "X", "price": "100", "side": "buy", "bestBidPrice": "99", "bestAskPrice": "101"}
    )
    assert ticker.last is not None and ticker.last.price == 100 and ticker.top.best_ask == 101


def test_statistics_mark_and_funding() -> None:
    assert parse.instrument("X", "mark.index.price", {"markPrice": 1.5, "indexPrice": "1.4"}) == (
        MarkIndex("X", D("1.5"), D("1.4"), 0)
    )
    assert parse.instrument("X", "funding.rate", {"fundingRate": -0.0003}) == FundingRate(
        "X", D("-0.0003"), 0
    )
    assert parse.instrument("X", "something.else", {}) is None
    assert parse.day_stats_frame({"symbol": "X", "price24HoursBefore": 200, "volume": 7}) == (
        DayStats("X", open_24h=D(200), volume=D(7))
    )


def test_a_contract_spec_keeps_the_inverse_multiplier_positive() -> None:
    spec = parse.contract_spec(
        {
            "symbol": "XBTUSDM",
            "tickSize": 0.1,
            "multiplier": -1,
            "isInverse": True,
            "lotSize": 1,
            "maxLeverage": 20,
        }
    )
    contract = Contract.from_spec(spec)
    assert contract.multiplier == 1 and contract.is_inverse and contract.tick_size == D("0.1")
    with pytest.raises(parse.BadMarketData):
        parse.contract_spec({"symbol": "BAD", "multiplier": 1})  # no tick size


def test_kline_rows_become_klines_and_junk_rows_are_left_out() -> None:
    rows = parse.klines([[60_000, 1, 2, 0.5, 1.5, 10], ["x"], [1, "a", 1, 1, 1, 1]])
    assert len(rows) == 1 and rows[0].start_ms == 60_000 and rows[0].low == D("0.5")
