"""The client trades against the running embedded exchange over real loopback HTTP and WS."""

from __future__ import annotations

import time
from decimal import Decimal

import aiohttp
import pytest

from kcterm.core.session import Session
from kcterm.core.validation import OrderDraft, OrderRejected
from kcterm.sim import SimExchange
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials, auth_headers
from kcterm.venue.kucoin.stream import StreamState
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


async def connected(session: Session) -> None:
    await wait_for(
        lambda: (
            session.adapter.public.state is StreamState.CONNECTED
            and session.adapter.private.state is StreamState.CONNECTED
            and session.market_data.books[SYMBOL].is_live
        ),
        what="both streams connected and the book live",
    )


async def test_limit_order_appears_on_the_private_feed_and_cancels(session: Session) -> None:
    await connected(session)
    best_bid = session.market_data.books[SYMBOL].best_bid()
    assert best_bid is not None
    price = best_bid[0] - 50 * session.contracts[SYMBOL].tick_size  # rests, never fills
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "2", str(price)))
    order_id = await session.trading.place(request)
    await wait_for(lambda: order_id in session.trading.orders, what="the open event on tradeOrders")
    order = session.trading.orders.get(order_id)
    assert order.price == price and order.size == 2 and order.client_oid == request.client_oid

    active = await session.adapter.rest.active_orders(SYMBOL)
    assert [o["id"] for o in active] == [order_id]
    assert active[0]["price"] == request.price_text and active[0]["size"] == 2

    await session.trading.cancel(order_id)
    await wait_for(lambda: order_id not in session.trading.orders, what="the canceled event")
    assert await session.adapter.rest.active_orders(SYMBOL) == []


async def test_market_order_fills_against_the_book(session: Session, sim: SimExchange) -> None:
    await connected(session)
    best_ask_before = sim.book(SYMBOL)["asks"][0]
    request = session.trading.prepare(OrderDraft(SYMBOL, "buy", "market", "3"))
    order_id = await session.trading.place(request)
    await wait_for(
        lambda: any("Fill: buy" in n.text for n in session.notices), what="a fill notice"
    )
    done = await session.adapter.rest.request("GET", f"/api/v1/orders/{order_id}", signed=True)
    assert done["status"] == "done" and done["filledSize"] == 3
    assert Decimal(done["avgDealPrice"]) >= Decimal(str(best_ask_before[0]))
    assert order_id not in session.trading.orders  # a market order never rests


async def test_local_book_equals_the_exchange_book_after_the_market_moves(
    session: Session, sim: SimExchange
) -> None:
    await connected(session)
    await sim.step_market(40)
    expected = sim.book(SYMBOL)
    book = session.market_data.books[SYMBOL]
    await wait_for(lambda: book.sequence == expected["sequence"], what="the last level2 message")
    assert book.bids() == [(Decimal(str(p)), s) for p, s in expected["bids"]]
    assert book.asks() == [(Decimal(str(p)), s) for p, s in expected["asks"]]


async def test_off_tick_price_never_reaches_the_exchange(session: Session) -> None:
    with pytest.raises(OrderRejected) as info:
        session.trading.prepare(OrderDraft(SYMBOL, "buy", "limit", "1", "50000.05"))
    assert info.value.field == "price"


async def test_wrong_secret_is_refused_with_kucoins_auth_codes(sim: SimExchange) -> None:
    cfg = sim.config
    wrong = RestClient(sim.base_url, Credentials(cfg.key, "not-the-secret", cfg.passphrase))
    try:
        with pytest.raises(KucoinError) as info:
            await wrong.active_orders()
    finally:
        await wrong.close()
    # The passphrase header is an HMAC with the secret, so it is the first check to fail.
    assert info.value.code == "400004"
    assert "not-the-secret" not in str(info.value)


async def test_wrong_signature_gets_400005(sim: SimExchange) -> None:
    """Headers signed for one request, sent with another: passphrase fine, signature not."""
    cfg = sim.config
    creds = Credentials(cfg.key, cfg.secret, cfg.passphrase, cfg.key_version)
    headers = auth_headers(
        creds, "GET", "/api/v1/orders?status=active", "", int(time.time() * 1000)
    )
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sim.base_url}/api/v1/orders?status=done", headers=headers) as reply:
            body = await reply.json(content_type=None)
            status = reply.status
    assert body["code"] == "400005"
    assert status == 401
