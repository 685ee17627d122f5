"""The practice exchange's listing: thirty-odd contracts, each a consistent KuCoin spec, whose
markets live and move together (issue 12, "a realistic contract universe")."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.engine import Engine
from kcterm.sim.market import QUIET_EVERY, SyntheticMarket
from kcterm.sim.publisher import NullPublisher
from kcterm.sim.specs import CONTRACTS, listed_contracts


def test_at_least_thirty_contracts_each_a_consistent_spec() -> None:
    assert len(CONTRACTS) >= 30
    assert len({c.symbol for c in CONTRACTS}) == len(CONTRACTS)
    for c in CONTRACTS:
        # KuCoin's names: XBTUSDTM (USDT), XBTUSDCM (USDC), XBTUSDM (inverse, in the coin).
        suffix = "USDM" if c.inverse else f"{c.settle}M"
        assert c.symbol == f"{c.base}{suffix}", c.symbol
        assert c.settle == (c.base if c.inverse else c.quote), c.symbol
        assert c.start_price % c.tick_size == 0 and c.start_price % c.index_tick_size == 0
        # Margin rates follow the top tier's leverage: initial about 1/leverage, maintenance
        # about half of it (spec/REFERENCE.md 7.2).
        assert abs(c.initial_margin * c.max_leverage - 1) < Decimal("0.01"), c.symbol
        assert c.maintain_margin < c.initial_margin
        assert c.funding_granularity_ms in (14_400_000, 28_800_000)
        assert 0 < c.beta <= 1
        # A lot is worth between a cent and a few hundred dollars, as KuCoin sizes them.
        assert Decimal("0.01") <= c.start_price * c.multiplier <= 500 or c.inverse, c.symbol
        assert c.tiers[0].maintain_margin == c.maintain_margin, c.symbol


def test_listed_contracts_picks_by_name_and_refuses_unknown_ones() -> None:
    assert listed_contracts() == CONTRACTS
    picked = listed_contracts(("ETHUSDTM", "XBTUSDTM"))
    assert [c.symbol for c in picked] == ["XBTUSDTM", "ETHUSDTM"]  # listing order
    with pytest.raises(ValueError, match="NOSUCHUSDTM"):
        listed_contracts(("XBTUSDTM", "NOSUCHUSDTM"))


def test_every_market_lives() -> None:
    engine = Engine(CONTRACTS, NullPublisher(), Clock())
    market = SyntheticMarket(engine, seed=11)
    market.seed_books()
    seen: dict[str, set[Decimal]] = {s: set() for s in engine.markets}
    for _ in range(4 * QUIET_EVERY):  # every quiet contract has had its turns
        market.step()
        for symbol, m in engine.markets.items():
            seen[symbol].add(m.index_price)
    for symbol, m in engine.markets.items():
        assert m.book.best_tick("buy") is not None and m.book.best_tick("sell") is not None
        assert len(seen[symbol]) > 1, f"{symbol} never moved"


def test_alts_move_with_bitcoin_by_their_beta() -> None:
    symbols = ("XBTUSDTM", "ETHUSDTM", "DOGEUSDTM", "TRXUSDTM")
    engine = Engine(listed_contracts(symbols), NullPublisher(), Clock())
    market = SyntheticMarket(engine, seed=11)
    market.seed_books()
    fair: dict[str, list[float]] = {s: [] for s in symbols}
    for _ in range(1_500):
        market.step()
        for s in symbols:
            fair[s].append(market._fair[s])  # the model's price, before rounding to the tick

    def returns(s: str) -> list[float]:
        return [math.log(b / a) for a, b in zip(fair[s], fair[s][1:], strict=False)]

    xbt = returns("XBTUSDTM")
    # correlation = beta_i x beta_j: ETH 0.9, DOGE 0.8, TRX 0.5 against bitcoin's 1.0
    assert 0.8 < statistics.correlation(xbt, returns("ETHUSDTM")) < 0.97
    assert 0.7 < statistics.correlation(xbt, returns("DOGEUSDTM")) < 0.9
    assert 0.35 < statistics.correlation(xbt, returns("TRXUSDTM")) < 0.65


def test_synthetic_listings_are_consistent_specs_after_the_real_ones() -> None:
    from kcterm.sim.specs import synthetic_listings

    listed = listed_contracts(listings=15)
    assert listed[: len(CONTRACTS)] == CONTRACTS and len(listed) == len(CONTRACTS) + 15
    extra = listed[len(CONTRACTS) :]
    assert extra == synthetic_listings(15)  # the same every time
    assert len({c.symbol for c in listed}) == len(listed)
    for c in extra:
        assert c.symbol == f"{c.base}USDTM" and c.settle == c.quote == "USDT" and not c.inverse
        assert c.start_price % c.tick_size == 0 and c.start_price % c.index_tick_size == 0
        assert 500 <= c.start_price / c.tick_size <= 10_000  # four to five significant digits
        assert abs(c.initial_margin * c.max_leverage - 1) < Decimal("0.01")
        assert 0 < c.beta <= 1 and c.funding_granularity_ms in (14_400_000, 28_800_000)
        assert Decimal("0.01") <= c.start_price * c.multiplier <= 500
    assert listed_contracts(("XBTUSDTM", "ALT03USDTM"), listings=5)[1].symbol == "ALT03USDTM"
    assert listed_contracts() == CONTRACTS  # the default lists the real ones only
