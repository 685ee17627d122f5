"""Benchmark: orders through the embedded exchange's matching engine, in-process. Prints.

Run: .venv/bin/python -m pytest -m perf -s tests/perf/test_sim_matching_throughput.py
Aim (issue 3): 20,000 orders matched per second or more.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.engine import Engine
from kcterm.sim.publisher import NullPublisher
from kcterm.sim.specs import CONTRACTS

pytestmark = pytest.mark.perf
SYMBOL = "XBTUSDTM"


def _engine() -> Engine:
    engine = Engine(CONTRACTS, NullPublisher(), Clock())
    engine.bot_users.update({"a", "b"})
    return engine


def test_bot_orders_per_second() -> None:
    """Limit orders around a mid (about half of them cross and trade), plus cancels."""
    engine = _engine()
    rng = random.Random(3)
    mid = CONTRACTS[0].ticks(Decimal("90000"))
    n = 100_000
    orders = [
        (
            rng.choice("ab"),
            rng.choice(("buy", "sell")),
            mid + rng.randint(-20, 20),
            rng.randint(1, 50),
        )
        for _ in range(n)
    ]
    resting = []
    start = time.perf_counter()
    for i, (user, side, tick, size) in enumerate(orders):
        order = engine.submit(engine.new_order(user, SYMBOL, side, tick, size))
        if order.remaining:
            resting.append(order)
        if i % 4 == 3 and resting:
            victim = resting.pop(rng.randrange(len(resting)))
            if victim.is_active:
                engine.cancel(victim.user_id, victim.order_id)
    elapsed = time.perf_counter() - start
    trades = engine.markets[SYMBOL].volume_lots
    print(
        f"\nmatching engine: {n / elapsed:,.0f} orders/s ({n:,} orders, "
        f"{trades:,} lots traded, {elapsed:.2f} s)"
    )
    assert trades > 0


def test_user_orders_per_second_with_clearing() -> None:
    """The same through the REST-shaped path: parsing, margin checks, fills and positions."""
    engine = _engine()
    engine.clearing.open_account("u", Decimal(10**9))
    rng = random.Random(4)
    mid = 900_000
    for k in range(1, 200):  # a deep book from the street
        engine.submit(engine.new_order("a", SYMBOL, "buy", mid - k, 1_000_000))
        engine.submit(engine.new_order("b", SYMBOL, "sell", mid + k, 1_000_000))
    n = 20_000
    net = 0
    start = time.perf_counter()
    for i in range(n):
        side = rng.choice(("buy", "sell"))
        size = rng.randint(1, 5)
        body = {
            "clientOid": f"c{i}",
            "symbol": SYMBOL,
            "side": side,
            "size": size,
            "leverage": 10,
            "type": "market",
        }
        engine.place("u", body)
        net += size if side == "buy" else -size
    elapsed = time.perf_counter() - start
    print(
        f"\nplace + match + clear (market orders): {n / elapsed:,.0f} orders/s "
        f"({elapsed:.2f} s for {n:,})"
    )
    assert engine.clearing.account("u").positions[SYMBOL].qty == net
