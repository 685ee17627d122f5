"""Clearing on worked examples: fees, average entry, realised and unrealised PnL, margin,
liquidation and bankruptcy prices, liquidation, funding, reduce-only and closeOrder.

The counterparty is a market-simulation account (no clearing of its own), so every figure
below belongs to the one trader under test. XBTUSDTM: 1 lot = 0.001 BTC, taker 0.06 %,
maker 0.02 %, maintenance margin 0.4 %.
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

SYMBOL = "XBTUSDTM"
ME, STREET = "trader", "street"
_ids = count()


@pytest.fixture
def engine() -> Engine:
    exchange = Engine(CONTRACTS, NullPublisher(), Clock())
    exchange.bot_users.add(STREET)
    exchange.clearing.open_account(ME, D(10_000))
    return exchange


def quote(engine: Engine, side: str, price: str, size: int = 1000) -> None:
    """The street rests liquidity at one price."""
    spec = engine.markets[SYMBOL].spec
    engine.submit(engine.new_order(STREET, SYMBOL, side, spec.ticks(D(price)), size))


def trade(engine: Engine, side: str, size: int, price: str | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {
        "clientOid": f"o{next(_ids)}",
        "symbol": SYMBOL,
        "side": side,
        "size": size,
        "leverage": 5,
    }
    body.update({"type": "limit", "price": price} if price else {"type": "market"})
    body.update(extra)
    return engine.place(ME, body)


def account(engine: Engine) -> Any:
    return engine.clearing.account(ME)


def test_open_then_close_part_books_fees_and_realised_pnl(engine: Engine) -> None:
    quote(engine, "sell", "90000.0", 10)
    trade(engine, "buy", 10)  # taker: 10 x 0.001 x 90000 = 900 USDT, fee 0.54
    pos = account(engine).positions[SYMBOL]
    assert (pos.qty, pos.entry, pos.margin) == (10, D("90000.0"), D("180"))
    assert account(engine).balance == D("9999.46")
    trade(engine, "sell", 4, "91000.0")  # rests: we are the maker now
    quote(engine, "buy", "91000.0", 4)  # ... and the street lifts it
    assert pos.qty == 6 and pos.entry == D("90000.0")
    # realised 4 x 0.001 x 1000 = 4; maker fee 4 x 0.001 x 91000 x 0.0002 = 0.0728
    assert pos.realised_gross == D("4")
    assert account(engine).balance == D("9999.46") + D("4") - D("0.0728")
    assert pos.margin == D("108")  # 180 x 6/10: margin leaves with the size closed
    fills = list(account(engine).fills)
    assert [f["liquidity"] for f in fills] == ["taker", "maker"]
    assert fills[0]["fee"] == "0.54" and fills[1]["closeFeePay"] == "0.0728"


def test_averaging_in_re_weights_the_entry(engine: Engine) -> None:
    quote(engine, "sell", "90000.0", 3)
    quote(engine, "sell", "90300.0", 1000)
    trade(engine, "buy", 3)
    trade(engine, "buy", 6)
    assert account(engine).positions[SYMBOL].entry == D("90200")  # (3x90000 + 6x90300) / 9


def test_liquidation_and_bankruptcy_prices_of_an_isolated_long(engine: Engine) -> None:
    quote(engine, "sell", "90000.0")
    trade(engine, "buy", 10)
    pos = account(engine).positions[SYMBOL]
    # q = 0.01 BTC, E = 90000, M = 180: bankrupt (900 - 180) / 0.01 = 72000;
    # liquidation (900 - 180) / (0.01 x 0.996) = 72289.156...
    assert pos.bankrupt_price() == D("72000")
    assert round(pos.liquidation_price(), 2) == D("72289.16")
    assert not pos.should_liquidate(D("72289.2")) and pos.should_liquidate(D("72289.1"))


def test_liquidation_takes_exactly_the_margin_and_cancels_orders(engine: Engine) -> None:
    quote(engine, "sell", "90000.0")
    trade(engine, "buy", 10)
    trade(engine, "sell", 5, "95000.0", reduceOnly=True)
    before = account(engine).balance
    engine.markets[SYMBOL].mark_price = D("72200")
    engine.clearing.after_step()
    acct = account(engine)
    assert SYMBOL not in {p.spec.symbol for p in acct.open_positions()}
    assert acct.balance == before - D("180")
    assert engine.active_orders(ME) == []
    closed = acct.closed_positions[-1]
    assert closed["type"] == "LIQUID_LONG" and closed["closePrice"] == "72000"
    assert acct.fills[-1]["tradeType"] == "liquid"


def test_a_fill_through_zero_closes_one_position_and_opens_the_other(engine: Engine) -> None:
    quote(engine, "sell", "90000.0", 10)
    trade(engine, "buy", 10)
    quote(engine, "buy", "91000.0")
    trade(engine, "sell", 15)
    pos = account(engine).positions[SYMBOL]
    assert (pos.qty, pos.entry) == (-5, D("91000.0"))
    closed = account(engine).closed_positions[-1]
    assert closed["type"] == "CLOSE_LONG" and closed["openPrice"] == "90000"
    assert D(closed["realisedGrossCost"]) == D("-10")  # 10 x 0.001 x 1000 gained


def test_equity_is_always_balance_plus_unrealised(engine: Engine) -> None:
    quote(engine, "sell", "90000.0")
    trade(engine, "buy", 20)
    for mark in ("80000", "90000", "95123.4", "100000"):
        engine.markets[SYMBOL].mark_price = D(mark)
        ov = engine.clearing.overview(account(engine))
        assert ov.equity == ov.balance + ov.unrealised
        assert ov.unrealised == 20 * D("0.001") * (D(mark) - D("90000"))


def test_funding_longs_pay_shorts_when_the_rate_is_positive(engine: Engine) -> None:
    quote(engine, "sell", "90000.0")
    trade(engine, "buy", 10)
    before = account(engine).balance
    engine.markets[SYMBOL].mark_price = D("90000")
    engine.clearing.settle_funding(SYMBOL, D("0.0001"), 1_700_000_000_000)
    assert account(engine).balance == before - D("0.09")  # 0.01 BTC x 90000 x 0.0001
    row = account(engine).funding_history[-1]
    assert row["funding"] == -0.09 and row["positionQty"] == 10


def test_reduce_only_is_capped_and_close_order_flattens(engine: Engine) -> None:
    quote(engine, "sell", "90000.0")
    quote(engine, "buy", "89000.0")
    with pytest.raises(SimError) as info:
        trade(engine, "sell", 1, "99000.0", reduceOnly=True)
    assert info.value.code == "300009"  # nothing to reduce yet
    trade(engine, "buy", 4)
    capped = trade(engine, "sell", 9, "99000.0", reduceOnly=True)
    assert (capped.remaining, capped.canceled) == (4, 5)
    closer = trade(engine, "", 0, closeOrder=True, type="market")
    assert closer.side == "sell" and closer.filled == 4
    assert account(engine).open_positions() == []
    assert engine.active_orders(ME) == []  # the reduce-only order went with the position


def test_an_order_larger_than_the_balance_is_refused_with_300003(engine: Engine) -> None:
    quote(engine, "sell", "90000.0", 100_000)
    with pytest.raises(SimError) as info:
        trade(engine, "buy", 1000, leverage=1)  # 90,000 USDT of margin on a 10,000 account
    assert info.value.code == "300003" and "available" in info.value.msg
    assert account(engine).open_positions() == []
