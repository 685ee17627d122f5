"""Ladder grouping and own-order marks (core.ladder)."""

from decimal import Decimal

from kcterm.core.ladder import bucket_price, group_levels, levels_needed, own_sizes
from kcterm.core.orders import OpenOrder

D = Decimal


def order(oid: str, side: str, price: str, size: int, filled: int = 0) -> OpenOrder:
    return OpenOrder(oid, "", "XBTUSDTM", side, "limit", D(price), size, filled, "open", 0)


def test_bids_group_down_and_asks_group_up() -> None:
    assert bucket_price(D("100.7"), D("0.5"), "buy") == D("100.5")
    assert bucket_price(D("100.7"), D("0.5"), "sell") == D("101.0")
    assert bucket_price(D("100.5"), D("0.5"), "sell") == D("100.5")  # on a group edge


def test_group_levels_merges_sizes_and_stops_at_depth() -> None:
    bids = [(D("100.9"), 1), (D("100.6"), 2), (D("100.4"), 4), (D("99.9"), 8), (D("99.0"), 16)]
    assert group_levels(bids, D("0.5"), "buy", 2) == [(D("100.5"), 3), (D("100.0"), 4)]
    asks = [(D("101.1"), 1), (D("101.4"), 2), (D("101.6"), 4)]
    assert group_levels(asks, D("1"), "sell", 5) == [(D("102"), 7)]


def test_one_tick_groups_change_nothing() -> None:
    levels = [(D("100.1"), 5), (D("100.0"), 6)]
    assert group_levels(levels, D("0.1"), "buy", 10) == levels


def test_enough_raw_levels_are_asked_for() -> None:
    assert levels_needed(20, 10) == 200
    assert levels_needed(20, 1000) == 5000  # capped


def test_own_sizes_bucket_remaining_lots_by_side() -> None:
    orders = [
        order("1", "buy", "100.7", 5, filled=2),
        order("2", "buy", "100.6", 4),
        order("3", "sell", "100.6", 1),
    ]
    sizes = own_sizes(orders, "XBTUSDTM", D("0.5"))
    assert sizes == {("buy", D("100.5")): 7, ("sell", D("101.0")): 1}
    assert own_sizes(orders, "ETHUSDTM", D("0.5")) == {}
