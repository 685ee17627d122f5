"""KucoinVenue (venue/kucoin/venue.py), the KuCoin adapter as one Venue, against the sim over
loopback: its parts answer with the venue's typed values (the account's orders, stops,
positions, balance, fills and done orders), its private feed publishes typed events, its links
report their state, and it starts and closes its background work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from decimal import Decimal
from typing import Any

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.sim import SimExchange
from kcterm.venue.events import (
    BalanceUpdate,
    Fill,
    OpenOrder,
    OrderDetail,
    OrderUpdate,
    PositionUpdate,
    StopOrder,
)
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream_group import StreamGroup
from kcterm.venue.kucoin.venue import KucoinVenue
from kcterm.venue.priority import Priority
from kcterm.venue.stream_status import StreamState
from tests.integration.conftest import credentials_for
from tests.order_terms import limit_order, market_order
from tests.unit.test_core_order_kinds import XBT
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(30)
SYMBOL = "XBTUSDTM"


@pytest.fixture
async def venue(sim: SimExchange) -> AsyncIterator[KucoinVenue]:
    rest = RestClient(sim.base_url, credentials_for(sim))
    public = StreamGroup(rest.bullet_public, private=False, name="public")
    private = StreamGroup(rest.bullet_private, private=True, name="private")
    made = KucoinVenue(rest, public, private)
    tasks: list[asyncio.Task[Any]] = []

    def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        tasks.append(task)
        return task

    await made.connect()
    made.start(spawn)
    yield made
    await made.close_streams()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await made.close()


def touch(sim: SimExchange, side: str) -> Decimal:
    return Decimal(str(sim.book(SYMBOL)["bids" if side == "buy" else "asks"][0][0]))


async def test_the_account_reads_come_typed(sim: SimExchange, venue: KucoinVenue) -> None:
    resting = limit_order("acc-rest", SYMBOL, "buy", touch(sim, "buy") - 100)
    resting_id = await venue.orders.place(resting)
    await venue.orders.place(market_order("acc-fill", SYMBOL, "buy", 2))
    mark = touch(sim, "buy")
    plan = plan_bracket(
        XBT, direction="long", size=2, entry=mark, stop_loss=f"{mark - 1000:f}", take_profit=""
    )
    stop_id = await venue.orders.place_bracket(plan.order(XBT, "acc-sl"))

    account = venue.account
    q = Priority.QUERY
    opened = await account.open_orders(priority=q)
    assert [(o.order_id, o.client_oid) for o in opened] == [(resting_id, "acc-rest")]
    assert all(isinstance(o, OpenOrder) for o in opened)
    stops = await account.stop_orders(priority=q)
    assert [s.order_id for s in stops] == [stop_id] and isinstance(stops[0], StopOrder)
    positions = await account.positions(priority=q)
    assert [(p.symbol, p.qty) for p in positions] == [(SYMBOL, 2)]
    assert isinstance(positions[0], PositionUpdate)
    balance = await account.balance(priority=q)
    assert isinstance(balance, BalanceUpdate) and balance.position_margin > 0
    fills = await account.recent_fills(priority=q)
    assert fills and all(isinstance(f, Fill) and f.symbol == SYMBOL for f in fills)
    assert sum(f.size for f in fills) == 2
    done = await account.done_orders(priority=q)
    assert any(isinstance(d, OrderDetail) and d.client_oid == "acc-fill" for d in done)
    assert isinstance(await account.funding(SYMBOL, priority=Priority.BACKGROUND), list)


async def test_the_private_feed_publishes_typed_events_and_the_links_report(
    sim: SimExchange, venue: KucoinVenue
) -> None:
    seen: list[object] = []
    venue.private_feed.follow(seen.append)
    await wait_for(lambda: venue.private.state is StreamState.CONNECTED, 10, "the private link")
    await wait_for(lambda: venue.public.state is StreamState.CONNECTED, 10, "the public link")
    assert venue.private.connections >= 1 and venue.private.statuses()
    order_id = await venue.orders.place(market_order("feed-1", SYMBOL, "sell"))
    await wait_for(
        lambda: any(isinstance(e, OrderUpdate) and e.order_id == order_id for e in seen),
        10,
        "the order's event on the feed",
    )
    assert venue.requests.clock_rtt_ms is not None  # connect() measured the clock
    assert await venue.margin.margin_mode(SYMBOL) in ("ISOLATED", "CROSS")
