"""The order gateway against the sim: an order whose reply is lost is found by its clientOid,
not placed again; a 503 before serving is resent once; batches go in twenties; a modify keeps
the link from the old order to the new one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from kcterm.core.journal import Journal
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.session import Session
from kcterm.core.validation import OrderRequest
from kcterm.sim import SimExchange
from kcterm.sim.server import DEMO_USER
from kcterm.venue.kucoin.orders import KucoinOrders
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.retry import RetryPolicy
from tests.integration.conftest import credentials_for
from tests.order_terms import limit_order
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def gateway(sim: SimExchange) -> AsyncIterator[OrderGateway]:
    rest = RestClient(sim.base_url, credentials_for(sim), timeout=0.5)
    rest.enable_resilience(policy=RetryPolicy(backoff_base=0.02, backoff_cap=0.1))
    yield OrderGateway(KucoinOrders(rest), Journal())
    await rest.close()


def resting(sim: SimExchange, oid: str, side: str = "buy") -> OrderRequest:
    best = sim.book("XBTUSDTM")["bids" if side == "buy" else "asks"][0][0]
    price = Decimal(str(best)) + (Decimal(-50) if side == "buy" else Decimal(50))
    return limit_order(oid, "XBTUSDTM", side, price)


def orders_with(sim: SimExchange, oid: str) -> int:
    return sum(1 for o in sim.engine.orders.values() if o.client_oid == oid)


async def test_a_lost_reply_is_looked_up_and_never_placed_again(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    sim.drills.delay_replies(1_000)  # served at once, answered after the client gave up
    asyncio.get_running_loop().call_later(1.5, sim.drills.delay_replies, 0)
    order_id = await gateway.place(resting(sim, "lost-reply-1"))
    stats = gateway.stats
    assert (stats.sent, stats.ambiguous, stats.found_by_lookup, stats.resent) == (1, 1, 1, 0)
    assert stats.lookups >= 1 and gateway.venue.rest.stats.transport_errors >= 1
    assert orders_with(sim, "lost-reply-1") == 1
    assert sim.engine.by_client_oid(DEMO_USER, "lost-reply-1").order_id == order_id


async def test_a_503_before_serving_is_looked_up_then_resent_once(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    sim.drills.fail_next(1)
    order_id = await gateway.place(resting(sim, "after-503"))
    stats = gateway.stats
    assert (stats.sent, stats.lookups, stats.found_by_lookup, stats.resent) == (2, 1, 0, 1)
    assert orders_with(sim, "after-503") == 1 and gateway.placed["after-503"] == order_id
    assert await gateway.place(resting(sim, "after-503")) == order_id  # known: not sent again
    assert gateway.stats.sent == 2


async def test_an_exhausted_pool_delays_the_order_but_places_it(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    await gateway.place(resting(sim, "warm-up"))
    sim.drills.limiter.window_ms = 500  # a short block for a short test
    sim.drills.exhaust_pool("Futures")
    await gateway.place(resting(sim, "after-429"))
    assert gateway.stats.rate_limited == 1 and orders_with(sim, "after-429") == 1


async def test_batches_go_in_twenties(sim: SimExchange, gateway: OrderGateway) -> None:
    before = gateway.venue.rest.stats.requests
    orders = [resting(sim, f"batch-{i}", "buy" if i % 2 else "sell") for i in range(45)]
    results = await gateway.place_batch(orders)
    assert all(isinstance(r, str) for r in results) and len(set(results)) == 45
    assert gateway.venue.rest.stats.requests - before == 3  # 20 + 20 + 5
    assert all(orders_with(sim, f"batch-{i}") == 1 for i in range(45))


async def test_cancelling_a_done_order_is_not_an_error(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    order_id = await gateway.place(resting(sim, "twice-cancelled"))
    assert await gateway.cancel(order_id) is True
    assert await gateway.cancel(order_id) is False  # already done: nothing to do


async def test_modify_is_cancel_and_replace_with_the_link_kept(
    sim: SimExchange, session: Session
) -> None:
    order = resting(sim, "to-modify")
    old_id = await session.trading.gateway.place(order)
    await wait_for(lambda: session.trading.orders.get(old_id) is not None, 5, "the open event")
    assert order.price is not None
    new_id = await session.trading.move_order(old_id, order.price - 10)
    assert new_id is not None and new_id != old_id
    link = session.trading.gateway.links[new_id]
    assert (link.old_id, link.symbol) == (old_id, "XBTUSDTM")
    assert session.trading.gateway.replaced_by[old_id] == new_id
    assert any(f"{new_id} replaces order {old_id}" in e.text for e in session.journal.entries)
