"""KuCoin payloads as the venue's typed values, through the adapter (venue.kucoin.account_events),
for tests that write their inputs in KuCoin's shape. Each one fails loudly when the adapter
refuses the payload, so a test never passes on a value that was silently dropped."""

from __future__ import annotations

from typing import Any

from kcterm.venue.events import BalanceUpdate, Fill, FundingPayment, PositionUpdate
from kcterm.venue.kucoin import account_events as kucoin


def as_wallet(data: dict[str, Any]) -> BalanceUpdate:
    update = kucoin.balance_from_wallet(data)
    assert update is not None, data
    return update


def as_overview(data: dict[str, Any]) -> BalanceUpdate:
    update = kucoin.balance_from_overview(data)
    assert update is not None, data
    return update


def as_position(data: dict[str, Any]) -> PositionUpdate:
    update = kucoin.position_update(data)
    assert update is not None, data
    return update


def as_positions(items: list[dict[str, Any]]) -> list[PositionUpdate]:
    updates = kucoin.positions_from_rest(items)
    assert len(updates) == len(items), items
    return updates


def as_fill(item: dict[str, Any]) -> Fill:
    fill = kucoin.fill_from_rest(item)
    assert fill is not None, item
    return fill


def as_funding(item: dict[str, Any]) -> FundingPayment:
    (payment,) = kucoin.funding_from_rest({"dataList": [item]})
    return payment
