"""Every in-flight order is visible and bounded (issue 10 item 6 and item 9), against the sim
over loopback: after a run of 503s a market order is not placed late, a limit order stops when
the market drifts, a wait for an exhausted pool shows a countdown and can be abandoned, a 429
is retried after the reset with a lookup first, a fresh client sends a burst of orders without
a single 429, and a refusal keeps KuCoin's own words (item 10)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from kcterm.core.error_text import order_refusal
from kcterm.core.journal import Journal
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.pending_orders import WAITING
from kcterm.core.validation import OrderRequest
from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.error_words import explain
from kcterm.venue.kucoin.errors import KucoinError, NotPlacedError
from kcterm.venue.kucoin.orders import KucoinOrders
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.retry import RetryPolicy
from tests.integration.conftest import credentials_for
from tests.order_terms import limit_order, market_order
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(40)


@pytest.fixture
async def gateway(sim: SimExchange) -> AsyncIterator[OrderGateway]:
    rest = RestClient(sim.base_url, credentials_for(sim), timeout=0.5)
    rest.enable_resilience(policy=RetryPolicy(backoff_base=0.02, backoff_cap=0.1))
    yield OrderGateway(KucoinOrders(rest), Journal())
    await rest.close()


def mid(sim: SimExchange) -> Decimal:
    book = sim.book("XBTUSDTM")
    return (Decimal(str(book["bids"][0][0])) + Decimal(str(book["asks"][0][0]))) / 2


def limit(sim: SimExchange, oid: str) -> OrderRequest:
    price = Decimal(str(sim.book("XBTUSDTM")["bids"][0][0])) - 50
    return limit_order(oid, "XBTUSDTM", "buy", price)


def market(oid: str) -> OrderRequest:
    return market_order(oid, "XBTUSDTM", "buy")


def orders_with(sim: SimExchange, oid: str) -> int:
    return sum(1 for o in sim.engine.orders.values() if o.client_oid == oid)


async def test_a_market_order_behind_a_run_of_503s_stops_at_its_deadline_not_62_s_later(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    gateway.market_deadline_s = 1.0  # a short deadline for a short test
    sim.drills.fail_rate(1.0)  # every request answered 503 without being served
    loop = asyncio.get_running_loop()
    loop.call_later(1.5, sim.drills.fail_rate, 0.0)  # back in time for the settling lookup
    started = time.monotonic()
    place = asyncio.ensure_future(gateway.place(market("late-market")))
    await wait_for(lambda: "late-market" in gateway.pending, 2, "the order to show as pending")
    assert gateway.pending.get("late-market").status.startswith("pending")  # type: ignore[union-attr]
    with pytest.raises(NotPlacedError) as refused:
        await place
    took = time.monotonic() - started
    assert took < 4.0, f"stopped after {took:.1f} s"
    text = str(refused.value.msg)
    assert "NOT placed" in text and "within 1 s" in text and "503000" in text
    assert "late-market" not in gateway.pending  # nothing left in flight
    assert gateway.outcomes[-1][0] == "error" and "NOT placed" in gateway.outcomes[-1][1]
    await asyncio.sleep(0)  # nothing is still running that could place it later
    assert orders_with(sim, "late-market") == 0


async def test_a_limit_order_stops_retrying_when_the_market_drifts_from_the_click(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    gateway.price_of = lambda symbol: mid(sim)
    gateway.max_drift = Decimal("0.000001")  # any move at all, for a short test
    clicked_at = mid(sim)
    sim.drills.fail_rate(1.0)
    place = asyncio.ensure_future(gateway.place(limit(sim, "drifted")))
    await wait_for(lambda: gateway.stats.ambiguous >= 1, 5, "a first 503")
    while mid(sim) == clicked_at:
        await sim.step_market(5)
    sim.drills.fail_rate(0.0)
    with pytest.raises(NotPlacedError) as refused:
        await place
    assert "the market moved" in refused.value.msg
    assert orders_with(sim, "drifted") == 0


async def test_a_wait_for_an_exhausted_pool_counts_down_and_can_be_abandoned(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    await gateway.place(limit(sim, "warm-up"))  # the pool is known now
    sim.drills.limiter.window_ms = 8_000
    sim.drills.exhaust_pool("Futures")
    started = time.monotonic()
    place = asyncio.ensure_future(gateway.place(limit(sim, "abandoned")))

    def waiting() -> bool:
        pending = gateway.pending.get("abandoned")
        return pending is not None and pending.state == WAITING and pending.wait_until is not None

    await wait_for(waiting, 5, "a wait for budget")
    pending = gateway.pending.get("abandoned")
    assert pending is not None
    left = pending.wait_left_s
    assert left is not None and 3 < left <= 8.5, left
    assert "budget in" in pending.status
    assert gateway.abandon("abandoned")
    with pytest.raises(NotPlacedError) as refused:
        await place
    assert time.monotonic() - started < 3, "the abandon waited for the reset"
    assert "abandoned by the trader" in refused.value.msg
    assert "abandoned" not in gateway.pending and not gateway.abandon("abandoned")
    assert orders_with(sim, "abandoned") == 0


async def test_a_429_on_an_order_is_retried_after_the_reset_with_a_lookup_first(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    await gateway.place(limit(sim, "warm-up"))
    sim.drills.limiter.window_ms = 1_000
    sim.drills.exhaust_pool("Futures")
    # The throttler has not seen the exhaustion: the order goes, meets a 429, waits.
    lookups = gateway.stats.lookups
    started = time.monotonic()
    await gateway.place(limit(sim, "after-429"))
    assert time.monotonic() - started >= 0.5  # the reset the 429 reply gave was waited out
    assert gateway.stats.rate_limited == 1 and gateway.stats.lookups == lookups + 1
    assert orders_with(sim, "after-429") == 1


async def test_a_fresh_client_sends_a_burst_of_orders_without_a_single_429() -> None:
    exchange = SimExchange(
        SimConfig(port=0, market=False, seed=3, futures_quota=80, rate_window_ms=1000)
    )
    await exchange.start()
    rest = RestClient(exchange.base_url, credentials_for(exchange))
    rest.enable_resilience(policy=RetryPolicy(backoff_base=0.01, backoff_cap=0.05))
    gateway = OrderGateway(KucoinOrders(rest), Journal())
    try:
        await rest.sync_clock()  # Public pool only: Futures is still unknown
        orders = [limit(exchange, f"burst-{i}") for i in range(100)]  # 200 weight, pool 80/s
        ids = await asyncio.gather(*(gateway.place(order) for order in orders))
        assert len(set(ids)) == 100
        assert exchange.drills.state()["counters"]["http429Sent"] == 0
        assert gateway.stats.rate_limited == 0 and gateway.stats.sent == 100
        assert all(orders_with(exchange, f"burst-{i}") == 1 for i in range(100))
    finally:
        await rest.close()
        await exchange.stop()


async def test_a_refusal_keeps_kucoins_code_and_words_beside_ours(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    ask = Decimal(str(sim.book("XBTUSDTM")["asks"][0][0]))
    order = limit_order("crossing", "XBTUSDTM", "buy", ask + 10, post_only=True)
    with pytest.raises(KucoinError) as refused:
        await gateway.place(order)
    assert order_refusal(refused.value) == (
        "Rejected by the exchange: 300000 · postOnly order would take liquidity; "
        f"order rejected — {explain('300000')}"
    )
    assert "crossing" not in gateway.pending
