"""KuCoin's official Python SDK (kucoin-universal-sdk 1.3.x) works unchanged against kcterm.sim.

The SDK is synchronous (requests + websocket-client threads), so the exchange runs on its own
thread through EmbeddedExchange rather than in the test's loop. The SDK comes with the
`compat` extra, which the README's test command installs; without it this module fails to
import (a missing client is a failure, never a skip).
The client, its events and `checked()` (the SDK's quirk with rejected replies) are
tests/compat/universal_sdk.py.
"""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

with warnings.catch_warnings():  # the SDK's generated models trip pydantic deprecations
    warnings.simplefilter("ignore", DeprecationWarning)
    import kucoin_universal_sdk.api.client  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:kucoin_universal_sdk.*")

from kucoin_universal_sdk.api.client import DefaultClient  # noqa: E402
from kucoin_universal_sdk.generate.account.account import (  # noqa: E402
    GetFuturesAccountReqBuilder,
)
from kucoin_universal_sdk.generate.futures.market import (  # noqa: E402
    GetFullOrderBookReqBuilder,
    GetSymbolReqBuilder,
    GetTickerReqBuilder,
)
from kucoin_universal_sdk.generate.futures.order import (  # noqa: E402  # noqa: E402
    AddOrderReq,
    AddOrderReqBuilder,
    CancelOrderByIdReqBuilder,
    GetOrderByOrderIdReqBuilder,
    GetOrderByOrderIdResp,
    GetOrderListReq,
    GetOrderListReqBuilder,
    GetRecentTradeHistoryReqBuilder,
)
from kucoin_universal_sdk.generate.futures.positions import (  # noqa: E402
    GetPositionDetailsReqBuilder,
)
from kucoin_universal_sdk.model.websocket_option import (  # noqa: E402
    WebSocketEvent,
)

from kcterm.embedded import EmbeddedExchange  # noqa: E402
from kcterm.sim import SimConfig  # noqa: E402
from tests.compat.universal_sdk import (  # noqa: E402
    Events,
    checked,
    sdk_client,
    stop_all,
    wait_until,
)

SYMBOL = "XBTUSDTM"


@pytest.fixture(scope="module")
def exchange() -> Iterator[EmbeddedExchange]:
    # A short ping interval so the SDK's keep-alive ping/pong is exercised within the test.
    embedded = EmbeddedExchange(
        SimConfig(port=0, seed=5, tick_interval=0.05, ping_interval_ms=1000)
    )
    embedded.start()
    yield embedded
    embedded.stop()


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def client(exchange: EmbeddedExchange, events: Events) -> DefaultClient:
    return sdk_client(exchange, events)


def limit_buy(price: str, client_oid: str) -> AddOrderReq:
    return (
        AddOrderReqBuilder()
        .set_client_oid(client_oid)
        .set_side(AddOrderReq.SideEnum.BUY)
        .set_symbol(SYMBOL)
        .set_leverage(5)
        .set_type(AddOrderReq.TypeEnum.LIMIT)
        .set_margin_mode(AddOrderReq.MarginModeEnum.ISOLATED)
        .set_price(price)
        .set_size(1)
        .build()
    )


def far_below(client: DefaultClient) -> str:
    """A bid 20% under the best bid, on the contract's 0.1 tick grid."""
    market = client.rest_service().get_futures_service().get_market_api()
    ticker = checked(market.get_ticker(GetTickerReqBuilder().set_symbol(SYMBOL).build()))
    price = Decimal(ticker.best_bid_price) * Decimal("0.8")
    return str(price.quantize(Decimal("0.1")))


def test_public_market_calls(client: DefaultClient) -> None:
    market = client.rest_service().get_futures_service().get_market_api()

    server_time = checked(market.get_server_time())
    assert abs(server_time.data - time.time() * 1000) < 60_000

    contracts = checked(market.get_all_symbols())
    assert SYMBOL in {c.symbol for c in contracts.data}

    contract = checked(market.get_symbol(GetSymbolReqBuilder().set_symbol(SYMBOL).build()))
    assert contract.symbol == SYMBOL
    assert contract.tick_size == pytest.approx(0.1)
    assert contract.lot_size == 1

    ticker = checked(market.get_ticker(GetTickerReqBuilder().set_symbol(SYMBOL).build()))
    assert Decimal(ticker.best_bid_price) < Decimal(ticker.best_ask_price)

    book = checked(
        market.get_full_order_book(GetFullOrderBookReqBuilder().set_symbol(SYMBOL).build())
    )
    assert book.symbol == SYMBOL and book.bids and book.asks
    assert book.bids[0][0] < book.asks[0][0]

    for token in (checked(market.get_public_token()), checked(market.get_private_token())):
        assert token.token and token.instance_servers[0].endpoint.startswith("ws://")


def test_limit_order_get_list_cancel(client: DefaultClient) -> None:
    orders = client.rest_service().get_futures_service().get_order_api()
    client_oid = uuid.uuid4().hex
    price = far_below(client)

    placed = checked(orders.add_order(limit_buy(price, client_oid)))
    assert placed.order_id and placed.client_oid == client_oid

    got = checked(
        orders.get_order_by_order_id(
            GetOrderByOrderIdReqBuilder().set_order_id(placed.order_id).build()
        )
    )
    assert got.client_oid == client_oid and got.is_active
    assert got.price == price and got.size == 1 and got.leverage == "5"
    assert got.margin_mode is GetOrderByOrderIdResp.MarginModeEnum.ISOLATED

    active = checked(
        orders.get_order_list(
            GetOrderListReqBuilder()
            .set_status(GetOrderListReq.StatusEnum.ACTIVE)
            .set_symbol(SYMBOL)
            .build()
        )
    )
    assert placed.order_id in {o.id for o in active.items}

    cancelled = checked(
        orders.cancel_order_by_id(CancelOrderByIdReqBuilder().set_order_id(placed.order_id).build())
    )
    assert cancelled.cancelled_order_ids == [placed.order_id]

    after = checked(
        orders.get_order_by_order_id(
            GetOrderByOrderIdReqBuilder().set_order_id(placed.order_id).build()
        )
    )
    assert not after.is_active and after.status is GetOrderByOrderIdResp.StatusEnum.DONE


def test_market_buy(client: DefaultClient) -> None:
    orders = client.rest_service().get_futures_service().get_order_api()
    req = (
        AddOrderReqBuilder()
        .set_client_oid(uuid.uuid4().hex)
        .set_side(AddOrderReq.SideEnum.BUY)
        .set_symbol(SYMBOL)
        .set_leverage(5)
        .set_type(AddOrderReq.TypeEnum.MARKET)
        .set_margin_mode(AddOrderReq.MarginModeEnum.ISOLATED)
        .set_size(1)
        .build()
    )
    placed = checked(orders.add_order(req))
    assert placed.order_id

    def filled() -> GetOrderByOrderIdResp:
        by_id = GetOrderByOrderIdReqBuilder().set_order_id(placed.order_id).build()
        return checked(orders.get_order_by_order_id(by_id))

    wait_until(lambda: filled().filled_size == 1, what="the market buy filled")
    assert not filled().is_active


def test_account_positions_and_fills(client: DefaultClient) -> None:
    """After a market buy: the account, the position and the recent fills, as the SDK's
    models read them."""
    futures = client.rest_service().get_futures_service()
    orders = futures.get_order_api()
    req = (
        AddOrderReqBuilder()
        .set_client_oid(uuid.uuid4().hex)
        .set_side(AddOrderReq.SideEnum.BUY)
        .set_symbol(SYMBOL)
        .set_leverage(5)
        .set_type(AddOrderReq.TypeEnum.MARKET)
        .set_size(2)
        .build()
    )
    placed = checked(orders.add_order(req))
    fills = checked(
        orders.get_recent_trade_history(
            GetRecentTradeHistoryReqBuilder().set_symbol(SYMBOL).build()
        )
    )
    assert sum(f.size for f in fills.data if f.order_id == placed.order_id) == 2

    position = checked(
        futures.get_positions_api().get_position_details(
            GetPositionDetailsReqBuilder().set_symbol(SYMBOL).build()
        )
    )
    assert position.current_qty >= 2 and position.avg_entry_price > position.liquidation_price

    account = checked(
        client.rest_service()
        .get_account_service()
        .get_account_api()
        .get_futures_account(GetFuturesAccountReqBuilder().set_currency("USDT").build())
    )
    assert account.account_equity == pytest.approx(
        account.margin_balance + account.unrealised_pnl, abs=1e-6
    )


def test_websocket_public_and_private(client: DefaultClient, events: Events) -> None:
    ws = client.ws_service()
    received: dict[str, list[Any]] = {"tickerV2": [], "level2": [], "order": []}

    def keep(kind: str) -> Callable[[str, str, Any], None]:
        def on_message(topic: str, subject: str, data: Any) -> None:
            received[kind].append((topic, subject, data))

        return on_message

    public = ws.new_futures_public_ws()
    private = ws.new_futures_private_ws()
    public.start()
    private.start()
    try:
        public.ticker_v2(SYMBOL, keep("tickerV2"))
        public.orderbook_increment(SYMBOL, keep("level2"))
        private.order(SYMBOL, keep("order"))

        orders = client.rest_service().get_futures_service().get_order_api()
        placed = checked(orders.add_order(limit_buy(far_below(client), uuid.uuid4().hex)))
        checked(
            orders.cancel_order_by_id(
                CancelOrderByIdReqBuilder().set_order_id(placed.order_id).build()
            )
        )

        wait_until(lambda: all(received.values()), what=f"a message on each topic: {received}")
        wait_until(
            lambda: events.of(WebSocketEvent.EVENT_PONG_RECEIVED), what="a pong to the SDK's ping"
        )
    finally:
        stop_all(public, private)

    topic, subject, ticker = received["tickerV2"][0]
    assert topic == f"/contractMarket/tickerV2:{SYMBOL}" and subject == "tickerV2"
    assert ticker.symbol == SYMBOL and Decimal(ticker.best_bid_price) > 0

    topic, subject, change = received["level2"][0]
    assert topic == f"/contractMarket/level2:{SYMBOL}" and subject == "level2"
    price, side, size = change.change.split(",")
    assert side in ("buy", "sell") and Decimal(price) > 0 and int(size) >= 0

    mine = [data for _, _, data in received["order"] if data.order_id == placed.order_id]
    assert {data.type.value for data in mine} >= {"open", "canceled"}, mine

    assert not events.of(WebSocketEvent.EVENT_CALLBACK_ERROR)  # every event fit the SDK's models
    assert not events.of(WebSocketEvent.EVENT_ERROR_RECEIVED)
