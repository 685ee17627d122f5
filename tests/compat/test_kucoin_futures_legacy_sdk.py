"""KuCoin's legacy futures SDK (kucoin-futures-python 1.0.14), unchanged, against kcterm-sim.

The SDK is synchronous (requests), so the exchange runs on its own thread. It signs with
KC-API-KEY-VERSION 2 (HMAC passphrase), or with a plain passphrase when `is_v1api=True`; the
sim's key is version 3 and, like KuCoin, takes either signed form.

Its WebSocket client passes `ssl=<encrypt>` to websockets.connect, which refuses any ssl
argument with a ws:// URL, so it connects only to wss://. The stream test therefore puts the
sim behind a TLS-terminating proxy (tests/compat/tls_proxy.py), as a kcterm-sim on another
machine would be, and the sim hands out wss:// with `encrypt` true, as KuCoin does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from kucoin_futures.client import Market, Trade, User, WsToken
from kucoin_futures.ws_client import KucoinFuturesWsClient

from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from kcterm.sim.server import DEMO_USER
from tests.compat.conftest import SYMBOL
from tests.compat.tls_proxy import TlsProxy, self_signed_loopback_cert
from tests.waiting import wait_for


def clients(embedded: EmbeddedExchange, v1: bool = False) -> tuple[Market, Trade, User]:
    cfg = embedded.config
    keys: dict[str, Any] = {
        "key": cfg.key,
        "secret": cfg.secret,
        "passphrase": cfg.passphrase,
        "url": embedded.base_url,
        "is_v1api": v1,
    }
    return Market(url=embedded.base_url), Trade(**keys), User(**keys)


def far_bid(market: Market) -> str:
    best = Decimal(market.get_ticker(SYMBOL)["bestBidPrice"])
    return str((best * Decimal("0.8")).quantize(Decimal("0.1")))


def order_margin(price: str, lots: int = 1, leverage: int = 5) -> float:
    return float(Decimal(price) * Decimal("0.001") * lots / leverage)


def test_market_data(threaded_sim: EmbeddedExchange) -> None:
    market, _, _ = clients(threaded_sim)
    assert abs(market.get_server_timestamp() - time.time() * 1000) < 60_000
    contracts = market.get_contracts_list()
    assert len(contracts) == len(threaded_sim.exchange.engine.markets)
    detail = market.get_contract_detail(SYMBOL)
    assert (detail["tickSize"], detail["multiplier"], detail["lotSize"]) == (0.1, 0.001, 1)

    book = threaded_sim.exchange.book(SYMBOL)  # market=False: it stands still
    ticker = market.get_ticker(SYMBOL)
    assert Decimal(ticker["bestBidPrice"]) == Decimal(str(book["bids"][0][0]))
    assert Decimal(ticker["bestAskPrice"]) == Decimal(str(book["asks"][0][0]))
    full = market.l2_order_book(SYMBOL)
    assert full["sequence"] == book["sequence"] and full["bids"] == book["bids"]
    assert market.l2_part_order_book(SYMBOL, 20)["asks"] == book["asks"][:20]


def test_limit_order_lifecycle_and_account(threaded_sim: EmbeddedExchange) -> None:
    market, trade, user = clients(threaded_sim)
    assert user.get_account_overview("USDT")["availableBalance"] == 100_000

    price = far_bid(market)
    placed = trade.create_limit_order(SYMBOL, "buy", 5, 1, price)
    order_id = placed["orderId"]

    active = trade.get_order_list(status="active", symbol=SYMBOL)["items"]
    assert [o["id"] for o in active] == [order_id]
    details = trade.get_order_details(order_id)
    assert details["isActive"] and (details["price"], details["size"]) == (price, 1)
    assert trade.get_open_order_details(SYMBOL)["openOrderBuySize"] == 1

    held = user.get_account_overview("USDT")
    assert held["orderMargin"] == pytest.approx(order_margin(price), rel=1e-9)
    assert held["availableBalance"] == pytest.approx(100_000 - order_margin(price), rel=1e-12)

    assert trade.cancel_order(order_id)["cancelledOrderIds"] == [order_id]
    after = trade.get_order_details(order_id)
    assert (after["isActive"], after["status"], after["cancelExist"]) == (False, "done", True)
    assert user.get_account_overview("USDT")["availableBalance"] == 100_000


def test_market_buy_position_fills_stops_and_cancel_all(threaded_sim: EmbeddedExchange) -> None:
    market, trade, _ = clients(threaded_sim)
    best_ask, ask_size = threaded_sim.exchange.book(SYMBOL)["asks"][0]
    assert ask_size >= 2  # one level fills the buy, so its price is known

    bought = trade.create_market_order(SYMBOL, "buy", 5, size=2)["orderId"]
    details = trade.get_order_details(bought)
    assert (details["dealSize"], details["isActive"], details["status"]) == (2, False, "done")

    position = trade.get_position_details(SYMBOL)
    assert (position["currentQty"], position["avgEntryPrice"]) == (2, best_ask)
    assert [p["symbol"] for p in trade.get_all_position()] == [SYMBOL]

    fills = trade.get_fills_details(symbol=SYMBOL)["items"]
    assert sum(f["size"] for f in fills if f["orderId"] == bought) == 2
    assert {f["price"] for f in fills} == {str(best_ask)}
    assert [f["orderId"] for f in trade.get_recent_fills()] == [f["orderId"] for f in fills]

    ticker = market.get_ticker(SYMBOL)
    trigger = str((Decimal(ticker["bestAskPrice"]) * Decimal("1.05")).quantize(Decimal("0.1")))
    stop = trade.create_limit_order(
        SYMBOL, "buy", 5, 1, trigger, stop="up", stopPriceType="TP", stopPrice=trigger
    )["orderId"]
    price = far_bid(market)
    resting = {trade.create_limit_order(SYMBOL, "buy", 5, 1, price)["orderId"] for _ in range(2)}

    # An untriggered stop is listed with the stop orders only (as on KuCoin).
    assert {o["id"] for o in trade.get_open_stop_order(symbol=SYMBOL)["items"]} == {stop}
    assert {o["id"] for o in trade.get_order_list(status="active")["items"]} == resting

    assert set(trade.cancel_all_limit_order(SYMBOL)["cancelledOrderIds"]) == resting
    assert trade.get_order_list(status="active")["items"] == []
    assert trade.cancel_all_stop_order(SYMBOL)["cancelledOrderIds"] == [stop]
    assert trade.get_position_details(SYMBOL)["currentQty"] == 2  # cancelling kept it


@pytest.fixture
def v1_sim() -> Iterator[EmbeddedExchange]:
    embedded = EmbeddedExchange(SimConfig(port=0, market=False, seed=11, key_version="1"))
    embedded.start()
    yield embedded
    embedded.stop()


def test_a_version_1_key_with_the_plain_passphrase(v1_sim: EmbeddedExchange) -> None:
    _, trade, user = clients(v1_sim, v1=True)
    assert user.get_account_overview("USDT")["accountEquity"] == 100_000
    placed = trade.create_limit_order(SYMBOL, "sell", 5, 3, "150000")["orderId"]
    assert trade.get_order_details(placed)["size"] == 3
    # the same key refuses the HMAC-signed passphrase of versions 2 and 3
    _, signed, _ = clients(v1_sim, v1=False)
    with pytest.raises(Exception, match="400004"):
        signed.get_order_details(placed)


@pytest.fixture
def tls_front(
    threaded_sim: EmbeddedExchange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """https:// and wss:// in front of the sim, with a certificate the clients are told to trust."""
    cert, key = self_signed_loopback_cert(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # websockets' default SSL context
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # requests (the token call)
    proxy = TlsProxy(threaded_sim.base_url, cert, key)
    url: str = threaded_sim.call(proxy.start)
    yield url
    threaded_sim.call(proxy.stop)


def _sdk_tasks() -> list[asyncio.Task[object]]:
    return [
        t
        for t in asyncio.all_tasks()
        if getattr(t.get_coro(), "__qualname__", "").startswith("ConnectWebsocket.")
    ]


async def stop_sdk_sockets(embedded: EmbeddedExchange) -> None:
    """The SDK keeps no handle on its reconnect loop and its reader swallows cancellation, so
    the loop is cancelled and the exchange drops the connections, which ends the readers."""
    tasks = _sdk_tasks()
    for task in tasks:
        if task.get_coro().__qualname__ == "ConnectWebsocket.run_forever":
            task.cancel()

    async def drop() -> int:
        return embedded.exchange.hub.drop()

    embedded.call(drop)
    await wait_for(lambda: all(t.done() for t in tasks), what="the SDK's WebSocket tasks to end")
    for task in tasks:  # a reader ends on the closed connection: retrieved, so it is not logged
        if not task.cancelled():
            task.exception()


async def test_websocket_book_and_wallet_through_tls(
    threaded_sim: EmbeddedExchange, tls_front: str
) -> None:
    cfg = threaded_sim.config
    token = WsToken(key=cfg.key, secret=cfg.secret, passphrase=cfg.passphrase, url=tls_front)
    public_frames: list[dict[str, Any]] = []
    private_frames: list[dict[str, Any]] = []

    async def on_public(frame: dict[str, Any]) -> None:
        public_frames.append(frame)

    async def on_private(frame: dict[str, Any]) -> None:
        private_frames.append(frame)

    hub = threaded_sim.exchange.hub
    level2 = f"/contractMarket/level2:{SYMBOL}"
    try:
        public = await KucoinFuturesWsClient.create(None, token, on_public, private=False)
        private = await KucoinFuturesWsClient.create(None, token, on_private, private=True)
        await public.subscribe(level2)
        await private.subscribe("/contractAccount/wallet")
        await wait_for(lambda: hub.wants(level2), what="the SDK on the level2 topic")
        await wait_for(
            lambda: hub.wants("/contractAccount/wallet", DEMO_USER), what="the SDK on the wallet"
        )

        # a bid inside the spread: a new level of 1 lot on the book and order margin frozen
        market, trade, _ = clients(threaded_sim)
        ticker = market.get_ticker(SYMBOL)
        bid, ask = Decimal(ticker["bestBidPrice"]), Decimal(ticker["bestAskPrice"])
        price = str(((bid + ask) / 2).quantize(Decimal("0.1")))
        assert bid < Decimal(price) < ask
        trade.create_limit_order(SYMBOL, "buy", 5, 1, price)

        change = f"{price},buy,1"
        await wait_for(
            lambda: any(f["data"].get("change") == change for f in public_frames),
            what=f"the level2 change {change}",
        )
        await wait_for(lambda: private_frames, what="the wallet push for the resting order")
    finally:
        await stop_sdk_sockets(threaded_sim)

    assert all(f["topic"] == level2 for f in public_frames)
    wallet = private_frames[-1]
    assert (wallet["topic"], wallet["subject"]) == (
        "/contractAccount/wallet",
        "walletBalance.change",
    )
    assert Decimal(wallet["data"]["availableBalance"]) == 100_000 - Decimal(order_margin(price))
