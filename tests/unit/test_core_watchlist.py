"""Watchlist rows from contracts, tickers, 24 h snapshots and instrument frames."""

from decimal import Decimal

from kcterm.core.watchlist import Watchlist
from kcterm.venue.events import FundingRate, MarkIndex
from kcterm.venue.kucoin import market_events as parse


def contract(**kw: object) -> dict:
    item = {
        "symbol": "XBTUSDTM",
        "lastTradePrice": 110,
        "priceChg": 10,
        "priceChgPct": 0.1,
        "volumeOf24h": 12.5,
        "turnoverOf24h": 1375.0,
        "fundingFeeRate": 0.0001,
        "markPrice": 109.9,
    }
    item.update(kw)
    return item


def test_contract_fields_fill_a_row() -> None:
    watch = Watchlist()
    watch.load_stats([parse.day_stats(contract())])
    row = watch.rows["XBTUSDTM"]
    assert row.last == 110 and row.open_24h == 100 and row.change_pct == 10
    assert row.volume_24h == Decimal("12.5") and row.funding_rate == Decimal("0.0001")
    assert row.mark == Decimal("109.9")


def test_live_last_price_moves_the_change_from_the_24h_open() -> None:
    watch = Watchlist()
    watch.load_stats([parse.day_stats(contract())])
    version = watch.version
    last = parse.last_price({"symbol": "XBTUSDTM", "price": "95", "side": "sell"})
    assert last is not None
    watch.on_last_price(last)
    row = watch.rows["XBTUSDTM"]
    assert row.change_pct == -5 and row.last_side == "sell" and watch.version > version


def test_snapshot_and_instrument_frames() -> None:
    watch = Watchlist()
    stats = parse.day_stats_frame(
        {"symbol": "ETHUSDTM", "price24HoursBefore": 200, "lastPrice": 210, "volume": 7}
    )
    assert stats is not None
    watch.on_day_stats(stats)
    row = watch.rows["ETHUSDTM"]
    assert row.change_pct == 5 and row.volume_24h == 7
    mark = parse.instrument("ETHUSDTM", "mark.index.price", {"markPrice": 209.5})
    rate = parse.instrument("ETHUSDTM", "funding.rate", {"fundingRate": -0.0003})
    assert isinstance(mark, MarkIndex) and isinstance(rate, FundingRate)
    watch.on_mark(mark)
    watch.on_funding(rate)
    assert row.mark == Decimal("209.5") and row.funding_rate == Decimal("-0.0003")


def test_change_pct_without_a_price_change_field() -> None:
    watch = Watchlist()
    watch.load_stats([parse.day_stats(contract(priceChg=None, priceChgPct=-0.028))])
    assert watch.rows["XBTUSDTM"].change_pct == Decimal("-2.8")
