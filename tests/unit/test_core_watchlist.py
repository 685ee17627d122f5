"""Watchlist rows from contracts, tickers, 24 h snapshots and instrument frames."""

from decimal import Decimal

from kcterm.core.watchlist import Watchlist


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
    watch.load_contracts([contract()])
    row = watch.rows["XBTUSDTM"]
    assert row.last == 110 and row.open_24h == 100 and row.change_pct == 10
    assert row.volume_24h == Decimal("12.5") and row.funding_rate == Decimal("0.0001")
    assert row.mark == Decimal("109.9")


def test_live_last_price_moves_the_change_from_the_24h_open() -> None:
    watch = Watchlist()
    watch.load_contracts([contract()])
    version = watch.version
    watch.on_ticker({"symbol": "XBTUSDTM", "price": "95", "side": "sell"})
    row = watch.rows["XBTUSDTM"]
    assert row.change_pct == -5 and row.last_side == "sell" and watch.version > version


def test_snapshot_and_instrument_frames() -> None:
    watch = Watchlist()
    watch.on_snapshot_24h(
        {"symbol": "ETHUSDTM", "price24HoursBefore": 200, "lastPrice": 210, "volume": 7}
    )
    row = watch.rows["ETHUSDTM"]
    assert row.change_pct == 5 and row.volume_24h == 7
    watch.on_instrument("ETHUSDTM", "mark.index.price", {"markPrice": 209.5})
    watch.on_instrument("ETHUSDTM", "funding.rate", {"fundingRate": -0.0003})
    assert row.mark == Decimal("209.5") and row.funding_rate == Decimal("-0.0003")


def test_change_pct_without_a_price_change_field() -> None:
    watch = Watchlist()
    watch.load_contracts([contract(priceChg=None, priceChgPct=-0.028)])
    assert watch.rows["XBTUSDTM"].change_pct == Decimal("-2.8")
