"""KuCoin's official kucoin-universal-sdk 1.3.2, unchanged, against kcterm-sim: the account and
balance as they move, cancel-all, stops, and the public book and private wallet streams.
(test_universal_sdk_endpoints.py covers its order, position and ticker models; the client
and its checks are tests/compat/universal_sdk.py.)
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from kucoin_universal_sdk.api.client import DefaultClient
from kucoin_universal_sdk.generate.account.account import GetFuturesAccountReqBuilder
from kucoin_universal_sdk.generate.futures.market import (
    GetFullOrderBookReqBuilder,
    GetTickerReqBuilder,
)
from kucoin_universal_sdk.generate.futures.order import (
    AddOrderReq,
    AddOrderReqBuilder,
    CancelAllOrdersV3ReqBuilder,
    CancelAllStopOrdersReqBuilder,
    GetOrderListReq,
    GetOrderListReqBuilder,
    GetStopOrderListReqBuilder,
    GetTradeHistoryReqBuilder,
)
from kucoin_universal_sdk.generate.futures.positions import GetPositionDetailsReqBuilder
from kucoin_universal_sdk.model.websocket_option import (
    WebSocketEvent,
)

from kcterm.embedded import EmbeddedExchange
from tests.compat.conftest import SYMBOL
from tests.compat.universal_sdk import Events, checked, sdk_client, stop_all, wait_until

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

START = Decimal(100_000)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def client(threaded_sim: EmbeddedExchange, events: Events) -> DefaultClient:
    return sdk_client(threaded_sim, events)


def order(kind: AddOrderReq.TypeEnum, size: int, price: str | None = None) -> AddOrderReq:
    builder = (
        AddOrderReqBuilder()
        .set_client_oid(uuid.uuid4().hex)
        .set_side(AddOrderReq.SideEnum.BUY)
        .set_symbol(SYMBOL)
        .set_leverage(5)
        .set_type(kind)
        .set_size(size)
    )
    return (builder.set_price(price) if price else builder).build()


def available(client: DefaultClient) -> Decimal:
    account = client.rest_service().get_account_service().get_account_api()
    req = GetFuturesAccountReqBuilder().set_currency("USDT").build()
    return Decimal(str(checked(account.get_futures_account(req)).available_balance))


def ticks_under_bid(client: DefaultClient, fraction: str) -> str:
    market = client.rest_service().get_futures_service().get_market_api()
    ticker = checked(market.get_ticker(GetTickerReqBuilder().set_symbol(SYMBOL).build()))
    return str((Decimal(ticker.best_bid_price) * Decimal(fraction)).quantize(Decimal("0.1")))


def test_book_account_and_cancel_all(client: DefaultClient, threaded_sim: EmbeddedExchange) -> None:
    futures = client.rest_service().get_futures_service()
    book = threaded_sim.exchange.book(SYMBOL)  # market=False: it stands still
    full = checked(
        futures.get_market_api().get_full_order_book(
            GetFullOrderBookReqBuilder().set_symbol(SYMBOL).build()
        )
    )
    assert full.sequence == book["sequence"] and full.bids[:5] == book["bids"][:5]
    assert available(client) == START

    orders = futures.get_order_api()
    price = ticks_under_bid(client, "0.8")
    ids = {checked(orders.add_order(order(AddOrderReq.TypeEnum.LIMIT, 1, price))).order_id}
    ids.add(checked(orders.add_order(order(AddOrderReq.TypeEnum.LIMIT, 2, price))).order_id)
    margin = Decimal(price) * Decimal("0.001") * 3 / 5
    assert available(client) == START - margin

    active = checked(
        orders.get_order_list(
            GetOrderListReqBuilder().set_status(GetOrderListReq.StatusEnum.ACTIVE).build()
        )
    )
    assert {o.id for o in active.items} == ids and {o.size for o in active.items} == {1, 2}

    cancelled = checked(
        orders.cancel_all_orders_v3(CancelAllOrdersV3ReqBuilder().set_symbol(SYMBOL).build())
    )
    assert set(cancelled.cancelled_order_ids) == ids
    assert available(client) == START


def test_market_buy_fills_position_and_a_stop(
    client: DefaultClient, threaded_sim: EmbeddedExchange
) -> None:
    futures = client.rest_service().get_futures_service()
    orders = futures.get_order_api()
    best_ask, ask_size = threaded_sim.exchange.book(SYMBOL)["asks"][0]
    assert ask_size >= 3
    bought = checked(orders.add_order(order(AddOrderReq.TypeEnum.MARKET, 3))).order_id

    position = checked(
        futures.get_positions_api().get_position_details(
            GetPositionDetailsReqBuilder().set_symbol(SYMBOL).build()
        )
    )
    assert (position.current_qty, position.avg_entry_price) == (3, best_ask)
    fills = checked(
        orders.get_trade_history(GetTradeHistoryReqBuilder().set_order_id(bought).build())
    )
    assert sum(f.size for f in fills.items) == 3 and {f.price for f in fills.items} == {
        str(best_ask)
    }
    fee = Decimal(str(best_ask)) * Decimal("0.001") * 3 * Decimal("0.0006")
    assert sum(Decimal(f.fee) for f in fills.items) == fee

    trigger = str((Decimal(str(best_ask)) * Decimal("1.05")).quantize(Decimal("0.1")))
    stop_req = (
        AddOrderReqBuilder()
        .set_client_oid(uuid.uuid4().hex)
        .set_side(AddOrderReq.SideEnum.BUY)
        .set_symbol(SYMBOL)
        .set_leverage(5)
        .set_type(AddOrderReq.TypeEnum.MARKET)
        .set_size(1)
        .set_stop(AddOrderReq.StopEnum.UP)
        .set_stop_price_type(AddOrderReq.StopPriceTypeEnum.TRADE_PRICE)
        .set_stop_price(trigger)
        .build()
    )
    stop = checked(orders.add_order(stop_req)).order_id
    stops = checked(orders.get_stop_order_list(GetStopOrderListReqBuilder().build()))
    assert [(s.id, s.stop_price) for s in stops.items] == [(stop, trigger)]
    gone = checked(
        orders.cancel_all_stop_orders(CancelAllStopOrdersReqBuilder().set_symbol(SYMBOL).build())
    )
    assert gone.cancelled_order_ids == [stop]


def test_public_book_and_private_wallet_streams(client: DefaultClient, events: Events) -> None:
    ws = client.ws_service()
    changes: list[str] = []
    wallets: list[Any] = []
    public = ws.new_futures_public_ws()
    private = ws.new_futures_private_ws()
    public.start()
    private.start()
    try:
        public.orderbook_increment(SYMBOL, lambda topic, subject, data: changes.append(data.change))
        private.balance(lambda topic, subject, data: wallets.append(data))

        # a bid inside the spread: a new best level of 1 lot, and order margin frozen
        market = client.rest_service().get_futures_service().get_market_api()
        ticker = checked(market.get_ticker(GetTickerReqBuilder().set_symbol(SYMBOL).build()))
        inside = (Decimal(ticker.best_bid_price) + Decimal(ticker.best_ask_price)) / 2
        price = str(inside.quantize(Decimal("0.1")))
        assert Decimal(ticker.best_bid_price) < Decimal(price) < Decimal(ticker.best_ask_price)
        orders = client.rest_service().get_futures_service().get_order_api()
        checked(orders.add_order(order(AddOrderReq.TypeEnum.LIMIT, 1, price)))

        wait_until(lambda: f"{price},buy,1" in changes, what=f"the level2 change at {price}")
        wait_until(lambda: wallets, what="a wallet push for the resting order")
    finally:
        stop_all(public, private)

    margin = Decimal(price) * Decimal("0.001") / 5
    assert Decimal(wallets[-1].available_balance) == START - margin
    assert Decimal(wallets[-1].isolated_order_margin) == margin
    assert not events.of(WebSocketEvent.EVENT_CALLBACK_ERROR)  # every frame fit the models
    assert not events.of(WebSocketEvent.EVENT_ERROR_RECEIVED)
