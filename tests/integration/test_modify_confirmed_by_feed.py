"""A modify (cancel + replace on KuCoin) learns that the cancel took effect from the private
feed's done event on the bus, not by polling GET /orders/{id} (issue 13); only a silent feed
makes it ask the exchange, and then a bounded number of times."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kcterm.core import order_actions
from kcterm.core.session import Session
from kcterm.core.validation import OrderDraft
from kcterm.venue.kucoin.stream import StreamState
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


def count_order_lookups(session: Session) -> list[str]:
    """A spy on the REST client's GET /orders/{id}: the real request still goes out."""
    seen: list[str] = []
    real: Callable[..., Awaitable[Any]] = session.adapter.rest.order

    async def order(order_id: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(order_id)
        return await real(order_id, *args, **kwargs)

    session.adapter.rest.order = order  # type: ignore[method-assign]
    return seen


async def resting_buy(session: Session, lots: int = 3) -> str:
    await wait_for(
        lambda: (
            session.adapter.private.state is StreamState.CONNECTED
            and session.adapter.public.state is StreamState.CONNECTED
            and session.market_data.books[SYMBOL].is_live
        ),
        what="streams connected and the book live",
    )
    tick = session.contracts[SYMBOL].tick_size
    price = session.market_data.books[SYMBOL].best_bid()[0] - 60 * tick
    order_id = await session.trading.place(
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", str(lots), str(price)))
    )
    await wait_for(lambda: order_id in session.trading.orders, what="the order open on the feed")
    # The session looks up a new order's leverage once (order margin); let that be done.
    await wait_for(
        lambda: order_id in session.trading.order_margin.terms, what="the order's terms fetched"
    )
    return order_id


async def test_the_cancel_half_of_a_modify_is_confirmed_by_the_feed(session: Session) -> None:
    order_id = await resting_buy(session)
    lookups = count_order_lookups(session)
    tick = session.contracts[SYMBOL].tick_size
    new_price = session.trading.orders.get(order_id).price - tick
    new_id = await session.trading.modify_order(order_id, price=new_price)
    assert new_id is not None and new_id != order_id
    # One lookup: the order's terms before the cancel (leverage, flags); none to learn its end.
    assert lookups == [order_id]
    await wait_for(
        lambda: new_id in session.trading.orders, what="the replacement open on the feed"
    )
    assert session.trading.orders.get(new_id).price == new_price
    assert session.trading.orders.get(new_id).size == 3
    assert len(session.trading.order_ends) == 0  # the waiter is gone with the modify


async def test_with_the_feed_silent_the_modify_asks_the_exchange_instead(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = await resting_buy(session, lots=2)
    monkeypatch.setattr(order_actions, "FEED_GRACE_S", 0.2)
    await session.adapter.private.close()  # no done event will come
    lookups = count_order_lookups(session)
    tick = session.contracts[SYMBOL].tick_size
    new_id = await session.trading.modify_order(
        order_id, price=session.trading.orders.get(order_id).price - tick
    )
    assert new_id is not None
    # The terms lookup, then the fallback asks once: the exchange says the order is done.
    assert lookups == [order_id, order_id]
    active = {o["id"] for o in await session.adapter.rest.active_orders(SYMBOL)}
    assert active == {new_id}
