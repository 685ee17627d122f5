"""ccxt's `kucoinfutures` (REST and ccxt.pro WebSocket), unchanged, against kcterm-sim.

ccxt 4.5's kucoinfutures is its unified `kucoin` class, which also knows KuCoin's spot and
unified-account hosts. Every one of its API URLs is pointed at the sim, and three calls that
only the spot host answers are turned off with ccxt's own public switches (with credentials,
load_markets would otherwise ask the spot host for margin symbols, the HF-account flag and the
account mode, and the spot currency list): `options.hf`, `options.uta`, `has.fetchCurrencies`
and load_markets' `marginables` parameter. The futures calls themselves are ccxt's own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import ccxt.pro as ccxtpro
import pytest

from kcterm.sim import SimExchange
from kcterm.sim.server import DEMO_USER
from tests.compat.conftest import SYMBOL
from tests.waiting import wait_for

WALLET_TOPIC = "/contractAccount/wallet"
MARKET = "BTC/USDT:USDT"  # ccxt's name for XBTUSDTM
START_BALANCE = 100_000.0


def pointed_at(sim: SimExchange) -> Any:
    cfg = sim.config
    exchange = ccxtpro.kucoinfutures(
        {
            "apiKey": cfg.key,
            "secret": cfg.secret,
            "password": cfg.passphrase,
            # The spot host's answers, given instead of asked for (see the module docstring).
            "options": {"hf": False, "uta": False},
        }
    )
    api = exchange.urls["api"]
    for section in list(api):
        api[section] = {k: sim.ws_url for k in api[section]} if section == "ws" else sim.base_url
    exchange.has["fetchCurrencies"] = False
    return exchange


@pytest.fixture
async def exchange(sim: SimExchange) -> AsyncIterator[Any]:
    client = pointed_at(sim)
    await client.load_markets(False, {"marginables": False})
    yield client
    await client.close()


async def far_bid(exchange: Any) -> float:
    """A resting bid 20 % under the best bid, on the 0.1 tick."""
    ticker = await exchange.fetch_ticker(MARKET)
    return float((Decimal(str(ticker["bid"])) * Decimal("0.8")).quantize(Decimal("0.1")))


async def test_markets_ticker_book_and_balance(exchange: Any, sim: SimExchange) -> None:
    market = exchange.market(MARKET)
    spec = sim.engine.market(SYMBOL).spec
    assert market["id"] == SYMBOL and market["swap"] and market["linear"]
    assert market["contractSize"] == float(spec.multiplier)
    assert market["precision"]["price"] == float(spec.tick_size)
    assert len(exchange.markets) == len(sim.engine.markets)

    book = sim.book(SYMBOL)
    ticker = await exchange.fetch_ticker(MARKET)
    assert (ticker["bid"], ticker["ask"]) == (book["bids"][0][0], book["asks"][0][0])

    fetched = await exchange.fetch_order_book(MARKET)
    assert fetched["nonce"] == book["sequence"]
    assert fetched["bids"][:10] == [list(level) for level in book["bids"][:10]]
    assert fetched["asks"][:10] == [list(level) for level in book["asks"][:10]]

    balance = await exchange.fetch_balance()
    assert balance["USDT"] == {"free": START_BALANCE, "used": 0.0, "total": START_BALANCE}


async def test_limit_order_rests_is_listed_holds_margin_and_cancels(exchange: Any) -> None:
    price = await far_bid(exchange)
    placed = await exchange.create_order(MARKET, "limit", "buy", 1, price, {"leverage": 5})
    assert placed["id"]

    listed = {o["id"]: o for o in await exchange.fetch_open_orders(MARKET)}
    assert placed["id"] in listed
    mine = listed[placed["id"]]
    assert (mine["side"], mine["type"], mine["status"]) == ("buy", "limit", "open")
    assert (mine["price"], mine["amount"], mine["filled"]) == (price, 1.0, 0.0)
    assert (await exchange.fetch_order(placed["id"], MARKET))["status"] == "open"

    held = await exchange.fetch_balance()
    # order margin at 5x: price x 0.001 BTC / 5 (plus nothing else: no position, no fee yet)
    margin = float(Decimal(str(price)) * Decimal("0.001") / 5)
    assert held["USDT"]["used"] == pytest.approx(margin, rel=1e-6)
    assert held["USDT"]["free"] == pytest.approx(START_BALANCE - margin, rel=1e-9)

    cancelled = await exchange.cancel_order(placed["id"], MARKET)
    assert cancelled["info"]["data"]["cancelledOrderIds"] == [placed["id"]]
    assert (await exchange.fetch_order(placed["id"], MARKET))["status"] == "canceled"
    assert await exchange.fetch_open_orders(MARKET) == []
    assert (await exchange.fetch_balance())["USDT"]["free"] == START_BALANCE


async def test_market_buy_position_fills_and_cancel_all(exchange: Any, sim: SimExchange) -> None:
    best_ask = sim.book(SYMBOL)["asks"][0]
    assert best_ask[1] >= 2  # the buy fills at one level, so its price is known
    bought = await exchange.create_order(MARKET, "market", "buy", 2, None, {"leverage": 5})
    order = await exchange.fetch_order(bought["id"], MARKET)
    assert (order["status"], order["filled"], order["remaining"]) == ("closed", 2.0, 0.0)
    assert order["average"] == best_ask[0]

    position = await exchange.fetch_position(MARKET)
    assert (position["symbol"], position["side"], position["contracts"]) == (MARKET, "long", 2.0)
    assert position["entryPrice"] == best_ask[0]

    fills = [t for t in await exchange.fetch_my_trades(MARKET) if t["order"] == bought["id"]]
    assert sum(t["amount"] for t in fills) == 2.0
    assert {t["price"] for t in fills} == {best_ask[0]} and fills[0]["side"] == "buy"
    fee = sum(t["fee"]["cost"] for t in fills)
    assert fee == pytest.approx(2 * 0.001 * best_ask[0] * 0.0006, rel=1e-6)

    price = await far_bid(exchange)
    resting = [
        (await exchange.create_order(MARKET, "limit", "buy", 1, price, {"leverage": 5}))["id"]
        for _ in range(2)
    ]
    assert {o["id"] for o in await exchange.fetch_open_orders(MARKET)} == set(resting)
    cancelled = await exchange.cancel_all_orders(MARKET)
    assert sorted(cancelled[0]["info"]["cancelledOrderIds"]) == sorted(resting)
    assert await exchange.fetch_open_orders(MARKET) == []
    assert (await exchange.fetch_position(MARKET))["contracts"] == 2.0  # cancel-all kept it


async def test_stop_order_is_listed_apart_and_cancelled(exchange: Any) -> None:
    ticker = await exchange.fetch_ticker(MARKET)
    trigger = float((Decimal(str(ticker["ask"])) * Decimal("1.05")).quantize(Decimal("0.1")))
    params = {"leverage": 5, "triggerPrice": trigger}
    stop = await exchange.create_order(MARKET, "market", "buy", 1, None, params)

    stops = await exchange.fetch_open_orders(MARKET, None, None, {"trigger": True})
    assert [(o["id"], o["triggerPrice"], o["status"]) for o in stops] == [
        (stop["id"], trigger, "open")
    ]
    assert stops[0]["info"]["stop"] == "up"  # a buy above the market triggers on the way up
    assert await exchange.fetch_open_orders(MARKET) == []  # untriggered: not an active order

    cancelled = await exchange.cancel_all_orders(MARKET, {"trigger": True})
    assert cancelled[0]["info"]["cancelledOrderIds"] == [stop["id"]]
    assert await exchange.fetch_open_orders(MARKET, None, None, {"trigger": True}) == []


@contextlib.asynccontextmanager
async def market_moving(sim: SimExchange) -> AsyncIterator[None]:
    """Steps the sim's market (built with market=False) while the body runs: level2 changes
    flow, and when the body is done the book stands still so it can be compared."""

    async def pump() -> None:
        while True:
            await sim.step_market()
            await asyncio.sleep(0.02)  # a market pace, not a wait for something

    task = asyncio.ensure_future(pump())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_pro_watch_order_book_follows_the_sim_book(exchange: Any, sim: SimExchange) -> None:
    async with market_moving(sim):
        # ccxt caches a few level2 changes, then fetches the REST snapshot and replays them
        first = await asyncio.wait_for(exchange.watch_order_book(MARKET), 10)
        assert first["bids"][0][0] < first["asks"][0][0]
    stood = sim.book(SYMBOL)
    watched = exchange.orderbooks[MARKET]
    await wait_for(
        lambda: watched["nonce"] == stood["sequence"], what="ccxt's book reaching the sim's"
    )
    assert watched["bids"][:20] == [list(level) for level in stood["bids"][:20]]
    assert watched["asks"][:20] == [list(level) for level in stood["asks"][:20]]


async def test_pro_watch_balance_sees_a_resting_order(exchange: Any, sim: SimExchange) -> None:
    watching = asyncio.ensure_future(exchange.watch_balance())
    # the sim has ccxt's private connection on its wallet topic (the subscription is made)
    await wait_for(
        lambda: sim.hub.wants(WALLET_TOPIC, DEMO_USER), what="ccxt subscribed to the wallet"
    )
    price = await far_bid(exchange)
    await exchange.create_order(MARKET, "limit", "buy", 1, price, {"leverage": 5})
    pushed = await asyncio.wait_for(watching, 10)

    margin = float(Decimal(str(price)) * Decimal("0.001") / 5)
    assert pushed["USDT"]["free"] == pytest.approx(START_BALANCE - margin, rel=1e-9)
    overview = (await exchange.fetch_balance())["USDT"]
    assert pushed["USDT"]["free"] == overview["free"]


async def test_pro_watch_orders_and_position(exchange: Any, sim: SimExchange) -> None:
    watching = asyncio.ensure_future(exchange.watch_orders(MARKET))
    await wait_for(
        lambda: sim.hub.wants("/contractMarket/tradeOrders", DEMO_USER),
        what="ccxt subscribed to the order feed",
    )
    price = await far_bid(exchange)
    placed = await exchange.create_order(MARKET, "limit", "buy", 1, price, {"leverage": 5})
    opened = await asyncio.wait_for(watching, 10)
    assert [(o["id"], o["status"], o["amount"], o["price"]) for o in opened] == [
        (placed["id"], "open", 1.0, price)
    ]
    watching = asyncio.ensure_future(exchange.watch_orders(MARKET))
    await exchange.cancel_order(placed["id"], MARKET)
    closed = await asyncio.wait_for(watching, 10)
    assert [(o["id"], o["status"]) for o in closed] == [(placed["id"], "canceled")]

    await asyncio.wait_for(exchange.watch_position(MARKET), 10)  # ccxt's REST snapshot first
    watching = asyncio.ensure_future(exchange.watch_position(MARKET))  # now it subscribes
    await wait_for(
        lambda: sim.hub.wants(f"/contract/position:{SYMBOL}", DEMO_USER),
        what="ccxt subscribed to the position feed",
    )
    best_ask = sim.book(SYMBOL)["asks"][0][0]
    await exchange.create_order(MARKET, "market", "buy", 2, None, {"leverage": 5})
    position = await asyncio.wait_for(watching, 10)
    assert (position["symbol"], position["side"], position["contracts"]) == (MARKET, "long", 2.0)
    assert position["entryPrice"] == best_ask
