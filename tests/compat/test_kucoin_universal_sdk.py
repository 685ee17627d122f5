"""KuCoin's official kucoin-universal-sdk 1.3.2, unchanged, against kcterm-sim: the account and
balance as they move, cancel-all, stops, and the public book and private wallet streams.
(tests/integration/test_third_party_sdk.py covers its order, position and ticker models.)

The SDK is synchronous (requests + websocket-client threads), so the exchange runs on its own
thread. DefaultTransport.process_response returns from a `finally` block, so a reply its
pydantic model rejects comes back as an empty model instead of raising: `checked()` validates
every reply's raw `data` again with the model, loudly.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
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
from kucoin_universal_sdk.model.client_option import ClientOptionBuilder
from kucoin_universal_sdk.model.transport_option import TransportOptionBuilder
from kucoin_universal_sdk.model.websocket_option import (
    WebSocketClientOptionBuilder,
    WebSocketEvent,
)

from kcterm.embedded import EmbeddedExchange
from tests.compat.conftest import SYMBOL

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

START = Decimal(100_000)


class Events:
    """The SDK's WebSocket events (its callbacks run on the SDK's own threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[WebSocketEvent, str, str]] = []

    def __call__(self, event: WebSocketEvent, msg: str, error: str) -> None:
        with self.lock:
            self.seen.append((event, msg, error))

    def of(self, kind: WebSocketEvent) -> list[tuple[WebSocketEvent, str, str]]:
        with self.lock:
            return [e for e in self.seen if e[0] is kind]


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def client(threaded_sim: EmbeddedExchange, events: Events) -> DefaultClient:
    cfg = threaded_sim.config
    url = threaded_sim.base_url
    options = (
        ClientOptionBuilder()
        .set_key(cfg.key)
        .set_secret(cfg.secret)
        .set_passphrase(cfg.passphrase)  # the SDK signs as key version 3
        .set_spot_endpoint(url)  # every endpoint on the sim: nothing may reach KuCoin
        .set_futures_endpoint(url)
        .set_broker_endpoint(url)
        .set_transport_option(TransportOptionBuilder().set_max_retries(0).build())
        .set_websocket_client_option(
            WebSocketClientOptionBuilder()
            .with_event_callback(events)
            .with_reconnect(False)
            .with_write_timeout(5)
            .build()
        )
        .build()
    )
    return DefaultClient(options)


def checked(resp: Any) -> Any:
    common = resp.common_response
    assert common is not None and common.code == "200000", common
    type(resp).from_dict(common.data)  # raises pydantic.ValidationError on a mismatch
    return resp


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    """The SDK is threaded: a bounded poll on its callbacks' results (tests/waiting.py is the
    same for asyncio)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


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
        # websocket-client (under the SDK) may take 10 s to stop: its reader selects with a
        # 10 s timeout and close() can consume the close reply it waits for (the same against
        # a bare aiohttp server). Stopping both at once bounds the test at one such wait.
        stoppers = [threading.Thread(target=s.stop) for s in (public, private)]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    margin = Decimal(price) * Decimal("0.001") / 5
    assert Decimal(wallets[-1].available_balance) == START - margin
    assert Decimal(wallets[-1].isolated_order_margin) == margin
    assert not events.of(WebSocketEvent.EVENT_CALLBACK_ERROR)  # every frame fit the models
    assert not events.of(WebSocketEvent.EVENT_ERROR_RECEIVED)
