"""Clearing of coin-margined XBTUSDM (1 USD a lot, everything in XBT) and of the risk-limit
tiers, on worked examples (issue 12 item 10). The counterparty is a market-simulation account
with no clearing of its own, so every figure is the trader's.
"""

from __future__ import annotations

from decimal import Decimal as D
from itertools import count
from typing import Any

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.engine import Engine
from kcterm.sim.errors import SimError
from kcterm.sim.publisher import NullPublisher
from kcterm.sim.specs import CONTRACTS

INV = "XBTUSDM"
ME, STREET = "trader", "street"
_ids = count()


@pytest.fixture
def engine() -> Engine:
    exchange = Engine(CONTRACTS, NullPublisher(), Clock())
    exchange.bot_users.add(STREET)
    exchange.clearing.open_account(ME, D(10_000), (("XBT", D(1)),))
    return exchange


def quote(engine: Engine, symbol: str, side: str, price: str, size: int = 100_000) -> None:
    spec = engine.markets[symbol].spec
    engine.submit(engine.new_order(STREET, symbol, side, spec.ticks(D(price)), size))


def trade(engine: Engine, symbol: str, side: str, size: int, leverage: int = 10) -> Any:
    body = {
        "clientOid": f"o{next(_ids)}",
        "symbol": symbol,
        "side": side,
        "size": size,
        "leverage": leverage,
        "type": "market",
    }
    return engine.place(ME, body)


def test_an_inverse_entry_averages_harmonically_and_margin_is_in_xbt(engine: Engine) -> None:
    mark = engine.markets[INV]
    mark.mark_price = D(50000)
    quote(engine, INV, "sell", "50000.0", 1000)
    trade(engine, INV, "buy", 1000)
    quote(engine, INV, "sell", "40000.0", 1000)
    trade(engine, INV, "buy", 1000)
    pos = engine.clearing.account(ME).positions[INV]
    # 2000 USD bought for 0.02 + 0.025 XBT: entry 2000 / 0.045 = 44,444.44...
    assert round(pos.entry, 6) == D("44444.444444")
    assert pos.margin == D("0.0045")  # (0.02 + 0.025) / 10
    acct = engine.clearing.account(ME)
    # Fees 0.045 x 0.0006 in XBT; the USDT wallet is untouched.
    assert acct.balance_of("XBT") == D(1) - D("0.000027") and acct.balance == D(10_000)


def test_an_inverse_long_is_liquidated_at_its_price_losing_its_margin(engine: Engine) -> None:
    market = engine.markets[INV]
    market.mark_price = D(50000)
    quote(engine, INV, "sell", "50000.0", 1000)
    trade(engine, INV, "buy", 1000)
    pos = engine.clearing.account(ME).positions[INV]
    # 1000 x 1.01 / (0.002 + 0.02) = 45,909.09...; bankrupt at 1000 / 0.022 = 45,454.54...
    assert round(pos.liquidation_price(), 2) == D("45909.09")
    assert round(pos.bankrupt_price(), 2) == D("45454.55")
    before = engine.clearing.account(ME).balance_of("XBT")
    market.mark_price = D("45950")
    engine.clearing.after_step()
    assert engine.clearing.account(ME).positions[INV].qty == 1000  # not yet
    market.mark_price = D("45900")
    engine.clearing.after_step()
    acct = engine.clearing.account(ME)
    assert not acct.open_positions()
    assert acct.closed_positions[-1]["type"] == "LIQUID_LONG"
    # The margin (0.002 XBT) is lost, to rounding of the bankruptcy price.
    assert abs(acct.balance_of("XBT") - (before - D("0.002"))) < D("1e-12")
    assert acct.balance == D(10_000)


def test_funding_of_an_inverse_short_is_received_in_xbt(engine: Engine) -> None:
    market = engine.markets[INV]
    market.mark_price = D(50000)
    quote(engine, INV, "buy", "50000.0", 1000)
    trade(engine, INV, "sell", 1000)
    before = engine.clearing.account(ME).balance_of("XBT")
    engine.clearing.settle_funding(INV, D("0.0001"), 0)
    acct = engine.clearing.account(ME)
    # -(-1000 / 50,000) x 0.0001 = +0.000002 XBT
    assert acct.balance_of("XBT") - before == D("0.000002")
    assert acct.funding_history[-1]["settleCurrency"] == "XBT"
    assert acct.ledger[-1]["currency"] == "XBT"


def test_an_inverse_order_beyond_the_xbt_wallet_is_refused(engine: Engine) -> None:
    engine.markets[INV].mark_price = D(50000)
    quote(engine, INV, "sell", "50000.0", 10_000_000)
    with pytest.raises(SimError) as refused:  # 1,000,000 USD at 10x needs 2 XBT
        trade(engine, INV, "buy", 1_000_000)
    assert refused.value.code == "300003" and "XBT" in refused.value.msg


def test_maintenance_follows_the_tier_of_the_positions_value(engine: Engine) -> None:
    engine.clearing.open_account(ME, D(1_000_000))
    symbol = "XBTUSDTM"
    engine.markets[symbol].mark_price = D(50000)
    quote(engine, symbol, "sell", "50000.0", 10_000)
    trade(engine, symbol, "buy", 1000)  # 50,000 USDT: tier 1, mmr 0.4 %
    pos = engine.clearing.account(ME).positions[symbol]
    assert pos.tier().level == 1 and pos.maint_margin(D(50000)) == D(200)
    trade(engine, symbol, "buy", 3000)  # 200,000 USDT: tier 2 (100k-500k), mmr 0.5 %
    assert pos.tier().level == 2 and pos.maint_margin(D(50000)) == D(1000)
    # The liquidation price uses tier 2's rate: (q E - M) / (q (1 - 0.005)).
    q = D(4)
    assert pos.liquidation_price() == (q * 50000 - pos.margin) / (q * D("0.995"))


def test_an_order_whose_position_outgrows_its_leverages_tier_is_refused(engine: Engine) -> None:
    engine.clearing.open_account(ME, D(10_000_000))
    symbol = "XBTUSDTM"
    engine.markets[symbol].mark_price = D(50000)
    quote(engine, symbol, "sell", "50000.0", 100_000)
    trade(engine, symbol, "buy", 1900, leverage=125)  # 95,000 USDT: tier 1 allows 125x
    with pytest.raises(SimError) as refused:  # to 105,000 USDT: tier 2, 100x at most
        trade(engine, symbol, "buy", 200, leverage=125)
    assert refused.value.code == "300016" and "level 2 allows 100x" in refused.value.msg
    trade(engine, symbol, "buy", 200, leverage=100)
    assert engine.clearing.account(ME).positions[symbol].qty == 2100
    with pytest.raises(SimError) as beyond:  # past the last tier (50 M USDT)
        trade(engine, symbol, "buy", 1_000_000, leverage=1)
    assert beyond.value.code == "300005"
