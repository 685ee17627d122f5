"""XBTUSDTM as the exchange lists it (spec/REFERENCE.md 7.2), for unit tests of the ticket rules."""

from __future__ import annotations

from typing import Any

from kcterm.core.contract import Contract
from kcterm.venue.kucoin.market_events import contract_spec

XBT_SPEC: dict[str, Any] = {
    "symbol": "XBTUSDTM",
    "baseCurrency": "XBT",
    "quoteCurrency": "USDT",
    "settleCurrency": "USDT",
    "tickSize": 0.1,
    "lotSize": 1,
    "multiplier": 0.001,
    "maxOrderQty": 1000000,
    "maxPrice": 1000000,
    "maxLeverage": 125,
    "makerFeeRate": 0.0002,
    "takerFeeRate": 0.0006,
}


def xbt(**fields: Any) -> Contract:
    """The contract with some fields changed or added (e.g. a price band)."""
    return Contract.from_spec(contract_spec({**XBT_SPEC, **fields}))
