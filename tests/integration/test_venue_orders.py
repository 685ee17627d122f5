"""The KuCoin adapter's typed order calls (venue/kucoin/orders.py) against the sim over
loopback: core hands down typed orders and gets ids, typed orders and VenueErrors back. A batch
with a refusal in it answers per order; a lookup by clientOid finds an order and a TP/SL, and
says None for an unknown one; cancel-all returns the ids it cancelled; the waiting stops are
listed, the closing ones apart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from kcterm.core.bracket import plan_bracket
from kcterm.core.journal import Journal
from kcterm.core.order_gateway import OrderGateway
from kcterm.core.validation import OrderRequest
from kcterm.sim import SimExchange
from kcterm.venue.errors import ErrorKind, VenueError
from kcterm.venue.events import Trigger
from kcterm.venue.kucoin.orders import KucoinOrders
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for
from tests.order_terms import limit_order, market_order
from tests.unit.test_core_order_kinds import XBT

pytestmark = pytest.mark.timeout(30)
SYMBOL = "XBTUSDTM"


@pytest.fixture
async def gateway(sim: SimExchange) -> AsyncIterator[OrderGateway]:
    rest = RestClient(sim.base_url, credentials_for(sim))
    yield OrderGateway(KucoinOrders(rest), Journal())
    await rest.close()


def touch(sim: SimExchange, side: str) -> Decimal:
    return Decimal(str(sim.book(SYMBOL)["bids" if side == "buy" else "asks"][0][0]))


def resting(sim: SimExchange, oid: str, side: str = "buy") -> OrderRequest:
    away = Decimal(-50) if side == "buy" else Decimal(50)
    return limit_order(oid, SYMBOL, side, touch(sim, side) + away)


async def test_a_batch_with_a_refusal_in_it_answers_order_by_order(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    crossing = limit_order("crossing", SYMBOL, "buy", touch(sim, "sell") + 10, post_only=True)
    results = await gateway.place_batch([resting(sim, "b-1"), crossing, resting(sim, "b-3")])
    first, refused, third = results
    assert isinstance(first, str) and isinstance(third, str) and first != third
    assert isinstance(refused, VenueError) and not refused.ambiguous
    assert "postOnly" in refused.msg  # the exchange's own words, kept
    assert gateway.placed == {"b-1": first, "b-3": third}
    assert all(o.client_oid != "crossing" for o in sim.engine.orders.values())


async def test_a_lookup_by_client_oid_finds_an_order_and_a_tp_sl_and_not_an_unknown_one(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    venue: KucoinOrders = gateway.venue
    assert await venue.by_client_oid("never-sent") is None
    order_id = await gateway.place(resting(sim, "look-me-up"))
    found = await venue.by_client_oid("look-me-up")
    assert found is not None and (found.order_id, found.symbol, found.active) == (
        order_id, SYMBOL, True,
    )  # fmt: skip
    mark = touch(sim, "buy")
    plan = plan_bracket(
        XBT, direction="long", size=1, entry=mark, stop_loss=f"{mark - 1000:f}",
        take_profit=f"{mark + 1000:f}",
    )  # fmt: skip
    stop_id = await gateway.place(plan.order(XBT, "tp-sl-1"))
    stop = await venue.by_client_oid("tp-sl-1")
    assert stop is not None and stop.order_id == stop_id


async def test_the_waiting_stops_are_listed_and_the_closing_ones_told_apart(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    venue = gateway.venue
    mark = touch(sim, "buy")
    plan = plan_bracket(
        XBT, direction="long", size=1, entry=mark, stop_loss=f"{mark - 1000:f}", take_profit=""
    )
    closing = await gateway.place(plan.order(XBT))
    breakout = market_order(
        "breakout", SYMBOL, "buy", 1, stop="up", trigger=Trigger.LAST,
        stop_price=mark + 900, stop_price_text=f"{mark + 900:f}",
    )  # fmt: skip
    opening = await gateway.place(breakout)
    assert set(await venue.waiting_stop_ids(SYMBOL)) == {closing, opening}
    assert await venue.waiting_stop_ids(SYMBOL, closing_only=True) == [closing]
    await venue.cancel_all_stops()
    assert await venue.waiting_stop_ids() == []


async def test_cancel_all_returns_the_ids_it_cancelled_and_a_done_order_is_not_found(
    sim: SimExchange, gateway: OrderGateway
) -> None:
    venue = gateway.venue
    sides = ("buy", "sell", "buy", "sell")
    ids = {await gateway.place(resting(sim, f"c-{i}", side)) for i, side in enumerate(sides)}
    assert await venue.active_symbols() == {SYMBOL}
    assert set(await venue.cancel_all(SYMBOL)) == ids
    assert await venue.active_symbols() == set()
    with pytest.raises(VenueError) as gone:
        await venue.cancel(next(iter(ids)))
    assert gone.value.kind is ErrorKind.NOT_FOUND
    assert not (await venue.order(next(iter(ids)))).active
