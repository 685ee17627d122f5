"""KuCoin's legacy futures SDK (kucoin-futures-python 1.0.14), unchanged, against kcterm-sim.

The SDK is synchronous (requests), so the exchange runs on its own thread. It signs with
KC-API-KEY-VERSION 2 (HMAC passphrase), or with a plain passphrase when `is_v1api=True`; the
sim's key is version 3 and, like KuCoin, takes either signed form.

Its WebSocket client is not exercised: it passes `ssl=<encrypt>` to websockets.connect, which
refuses any ssl argument with a ws:// URI, so it can only connect to a wss:// endpoint, and the
sim listens in plain text on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from kucoin_futures.client import Market, Trade, User

from kcterm.embedded import EmbeddedExchange
from kcterm.sim import SimConfig
from tests.compat.conftest import SYMBOL


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
