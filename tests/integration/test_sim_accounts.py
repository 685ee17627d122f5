"""Account and position endpoints of the embedded exchange, over loopback with our client."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest

from kcterm.sim import SimExchange
from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import WsStream
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


async def market_buy(rest: RestClient, size: int) -> str:
    body = {
        "clientOid": uuid.uuid4().hex,
        "symbol": SYMBOL,
        "side": "buy",
        "type": "market",
        "size": size,
        "leverage": 10,
    }
    return (await rest.place_order(body))["orderId"]


async def test_a_fill_shows_in_position_overview_fills_and_ledger(
    rest: RestClient, sim: SimExchange
) -> None:
    order_id = await market_buy(rest, 7)
    pos = await rest.request("GET", "/api/v1/position", params={"symbol": SYMBOL}, signed=True)
    assert pos["currentQty"] == 7 and pos["isOpen"] is True and pos["marginMode"] == "ISOLATED"
    assert pos["positionSide"] == "BOTH" and pos["liquidationPrice"] < pos["avgEntryPrice"]
    listed = await rest.request("GET", "/api/v1/positions", signed=True)
    assert [p["symbol"] for p in listed] == [SYMBOL]
    overview = await rest.request(
        "GET", "/api/v1/account-overview", params={"currency": "USDT"}, signed=True
    )
    assert overview["accountEquity"] == pytest.approx(
        overview["marginBalance"] + overview["unrealisedPNL"], abs=1e-6
    )
    assert overview["positionMargin"] == pytest.approx(pos["posMargin"], abs=1e-6)
    assert overview["marginBalance"] < 100_000  # the taker fee was paid
    fills = await rest.request("GET", "/api/v1/fills", params={"orderId": order_id}, signed=True)
    assert sum(f["size"] for f in fills["items"]) == 7
    assert all(f["liquidity"] == "taker" and f["feeRate"] == "0.0006" for f in fills["items"])
    recent = await rest.request("GET", "/api/v1/recentFills", signed=True)
    assert {f["orderId"] for f in recent} == {order_id}
    # The practice account is funded in USDT, USDC, XBT and ETH: the USDT ledger has one.
    ledger = await rest.request(
        "GET", "/api/v1/transaction-history", params={"currency": "USDT"}, signed=True
    )
    assert [line["type"] for line in ledger["dataList"]] == ["Deposit"]
    assert ledger["dataList"][0]["amount"] == 100_000


async def test_margin_mode_cannot_change_under_a_position(rest: RestClient) -> None:
    mode = await rest.request(
        "GET", "/api/v2/position/getMarginMode", params={"symbol": SYMBOL}, signed=True
    )
    assert mode == {"symbol": SYMBOL, "marginMode": "ISOLATED"}
    await market_buy(rest, 1)
    with pytest.raises(KucoinError) as info:
        await rest.request(
            "POST",
            "/api/v2/position/changeMarginMode",
            body={"symbol": SYMBOL, "marginMode": "CROSS"},
            signed=True,
        )
    assert info.value.code == "50002"
    changed = await rest.request(
        "POST",
        "/api/v2/position/changeMarginMode",
        body={"symbol": "ETHUSDTM", "marginMode": "CROSS"},
        signed=True,
    )
    assert changed["marginMode"] == "CROSS"
    assert (
        await rest.request(
            "POST",
            "/api/v2/changeCrossUserLeverage",
            body={"symbol": "ETHUSDTM", "leverage": "8"},
            signed=True,
        )
        is True
    )
    lev = await rest.request(
        "GET", "/api/v2/getCrossUserLeverage", params={"symbol": "ETHUSDTM"}, signed=True
    )
    assert lev == {"symbol": "ETHUSDTM", "leverage": "8"}


async def test_isolated_margin_in_and_out(rest: RestClient) -> None:
    await market_buy(rest, 10)
    before = await rest.request("GET", "/api/v1/position", params={"symbol": SYMBOL}, signed=True)
    after = await rest.request(
        "POST",
        "/api/v1/position/margin/deposit-margin",
        body={"symbol": SYMBOL, "margin": 50, "bizNo": "dep-1"},
        signed=True,
    )
    assert after["posMargin"] == pytest.approx(before["posMargin"] + 50)
    assert after["liquidationPrice"] < before["liquidationPrice"]
    most = Decimal(
        await rest.request(
            "GET", "/api/v1/margin/maxWithdrawMargin", params={"symbol": SYMBOL}, signed=True
        )
    )
    assert Decimal(0) < most <= 50
    with pytest.raises(KucoinError) as info:
        await rest.request(
            "POST",
            "/api/v1/margin/withdrawMargin",
            body={"symbol": SYMBOL, "withdrawAmount": str(most + 1)},
            signed=True,
        )
    assert info.value.code == "400100"


async def test_max_open_size_and_open_order_statistics(rest: RestClient) -> None:
    size = await rest.request(
        "GET",
        "/api/v2/getMaxOpenSize",
        params={"symbol": SYMBOL, "price": "90000", "leverage": 10},
        signed=True,
    )
    # 100,000 USDT / (0.001 x 90000 x (1/10 + 0.0006)) = 100,000 / 9.054 = 11,044.9 lots
    assert size == {"symbol": SYMBOL, "maxBuyOpenSize": 11044, "maxSellOpenSize": 11044}
    await rest.place_order(
        {
            "clientOid": "stat-1",
            "symbol": SYMBOL,
            "side": "buy",
            "type": "limit",
            "price": "88000.0",
            "size": 3,
            "leverage": 4,
        }
    )
    stats = await rest.request(
        "GET", "/api/v1/openOrderStatistics", params={"symbol": SYMBOL}, signed=True
    )
    assert stats["openOrderBuySize"] == 3 and stats["openOrderSellSize"] == 0
    assert stats["openOrderBuyCost"] == "66"  # 3 x 0.001 x 88000 / 4, written as KuCoin does
    assert stats["openOrderSellCost"] == "0"  # not "0E-8"


async def test_wallet_and_position_feeds_follow_a_fill(rest: RestClient) -> None:
    frames: dict[str, list[dict]] = {"wallet": [], "position": []}
    stream = WsStream(rest.bullet_private, private=True, name="private")
    stream.subscribe("/contractAccount/wallet", lambda f: frames["wallet"].append(f))
    stream.subscribe(f"/contract/position:{SYMBOL}", lambda f: frames["position"].append(f))
    runner = asyncio.ensure_future(stream.run())
    try:
        await wait_for(lambda: stream.state == "connected", what="private stream")
        await market_buy(rest, 2)
        await wait_for(lambda: frames["position"] and frames["wallet"], what="both feeds")
        position = frames["position"][-1]
        assert position["subject"] == "position.change"
        assert position["data"]["currentQty"] == 2
        wallet = frames["wallet"][-1]["data"]
        assert wallet["currency"] == "USDT" and isinstance(wallet["availableBalance"], str)
        assert Decimal(wallet["walletBalance"]) < 100_000
    finally:
        await stream.close()
        await runner
