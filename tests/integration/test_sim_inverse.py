"""Coin-margined (inverse) and USDC-margined contracts on the embedded exchange, over loopback
as a client would: margin, PnL, fees and funding in the contract's own wallet (issue 12,
item 10). Expected figures are KuCoin's inverse formulas computed here in Decimal:

    value = lots x |multiplier| / price (XBT), margin = value / leverage,
    long PnL = lots x |multiplier| x (1/entry - 1/exit), fee = value x rate.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.stream import WsStream
from tests.integration.conftest import credentials_for
from tests.waiting import wait_for

INVERSE = "XBTUSDM"
TAKER = Decimal("0.0006")
LEVERAGE = 5
EIGHT = Decimal("0.00000001")


async def overview(rest: RestClient, currency: str) -> dict[str, Any]:
    return await rest.request(
        "GET", "/api/v1/account-overview", params={"currency": currency}, signed=True
    )


async def touch(rest: RestClient, symbol: str, side: str) -> tuple[Decimal, int]:
    """The best maker price and size an order on ``side`` would take."""
    book = await rest.request("GET", "/api/v1/level2/snapshot", params={"symbol": symbol})
    price, size = (book["asks"] if side == "buy" else book["bids"])[0]
    return Decimal(str(price)), int(size)


async def take(rest: RestClient, symbol: str, side: str, lots: int) -> tuple[Decimal, int]:
    """A limit order at the touch, no larger than the touch (``lots`` at most): one fill, at
    one known price. Returns the price and the lots filled."""
    price, size = await touch(rest, symbol, side)
    lots = min(lots, size)
    body = {
        "clientOid": uuid.uuid4().hex,
        "symbol": symbol,
        "side": side,
        "type": "limit",
        "price": str(price),
        "size": lots,
        "leverage": LEVERAGE,
    }
    order_id = (await rest.place_order(body))["orderId"]
    order = await rest.request("GET", f"/api/v1/orders/{order_id}", signed=True)
    assert order["status"] == "done" and order["filledSize"] == lots
    return price, lots


async def closed_row(rest: RestClient, symbol: str) -> dict[str, Any]:
    page = await rest.request(
        "GET", "/api/v1/history-positions", params={"symbol": symbol}, signed=True
    )
    return page["items"][0]


def q8(value: Decimal) -> Decimal:
    return round(value, 8)


async def test_inverse_contract_object(rest: RestClient) -> None:
    contracts = {c["symbol"]: c for c in await rest.request("GET", "/api/v1/contracts/active")}
    xbt = contracts[INVERSE]
    assert xbt["isInverse"] is True and xbt["multiplier"] == -1.0
    assert (xbt["rootSymbol"], xbt["baseCurrency"], xbt["quoteCurrency"]) == ("XBT", "XBT", "USD")
    assert xbt["settleCurrency"] == "XBT" and xbt["fundingQuoteSymbol"] == ".USDINT8H"
    assert xbt["indexSymbol"] == ".BXBT" and xbt["fundingRateGranularity"] == 28_800_000
    usdc = contracts["XBTUSDCM"]
    assert usdc["isInverse"] is False and usdc["multiplier"] == 0.001
    assert (usdc["rootSymbol"], usdc["quoteCurrency"], usdc["settleCurrency"]) == (
        "USDC",
        "USDC",
        "USDC",
    )
    assert contracts["ETHUSDM"]["settleCurrency"] == "ETH"
    assert contracts["XBTUSDTM"]["settleCurrency"] == "USDT"


async def test_inverse_long_round_trip_clears_in_xbt(rest: RestClient) -> None:
    before_xbt = await overview(rest, "XBT")
    before_usdt = await overview(rest, "USDT")
    assert before_xbt["marginBalance"] == 1.0 and before_xbt["currency"] == "XBT"
    entry, lots = await take(rest, INVERSE, "buy", 50)
    pos = await rest.request("GET", "/api/v1/position", params={"symbol": INVERSE}, signed=True)
    assert pos["isInverse"] is True and pos["settleCurrency"] == "XBT"
    assert pos["currentQty"] == lots and Decimal(str(pos["avgEntryPrice"])) == entry
    margin = Decimal(lots) / entry / LEVERAGE  # XBT frozen
    assert Decimal(str(pos["posMargin"])) == q8(margin)
    assert Decimal(str(pos["posCost"])) == q8(Decimal(lots) / entry)
    frozen = await overview(rest, "XBT")
    assert Decimal(str(frozen["positionMargin"])) == q8(margin)
    open_fee = Decimal(lots) / entry * TAKER
    assert Decimal(str(frozen["marginBalance"])) == q8(1 - open_fee)
    # A long is liquidated below entry: P = q(1 + mmr) / (M + q/E), mmr 0.01 (tier 1).
    q = Decimal(lots)
    liq = q * Decimal("1.01") / (margin + q / entry)
    assert Decimal(str(pos["liquidationPrice"])) == q8(liq)

    exit_price, closed = await take(rest, INVERSE, "sell", lots)
    assert closed == lots, "the bid was too thin to close at one price"
    gross = Decimal(lots) * (1 / entry - 1 / exit_price)
    close_fee = Decimal(lots) / exit_price * TAKER
    row = await closed_row(rest, INVERSE)
    assert row["settleCurrency"] == "XBT" and row["type"] == "CLOSE_LONG"
    assert Decimal(row["realisedGrossCost"]) == q8(-gross)
    assert Decimal(row["pnl"]) == q8(gross - open_fee - close_fee)
    after = await overview(rest, "XBT")
    assert Decimal(str(after["marginBalance"])) == q8(1 + gross - open_fee - close_fee)
    assert after["positionMargin"] == 0.0
    assert (await overview(rest, "USDT"))["marginBalance"] == before_usdt["marginBalance"]


async def test_inverse_short_gains_when_the_price_falls_by_the_formula(rest: RestClient) -> None:
    entry, lots = await take(rest, INVERSE, "sell", 30)
    pos = await rest.request("GET", "/api/v1/position", params={"symbol": INVERSE}, signed=True)
    assert pos["currentQty"] == -lots
    margin = Decimal(lots) / entry / LEVERAGE
    q = Decimal(lots)
    # A short: P = q(1 - mmr) / (q/E - M).
    assert Decimal(str(pos["liquidationPrice"])) == q8(q * Decimal("0.99") / (q / entry - margin))
    exit_price, closed = await take(rest, INVERSE, "buy", lots)
    assert closed == lots, "the ask was too thin to close at one price"
    gross = -Decimal(lots) * (1 / entry - 1 / exit_price)
    fees = Decimal(lots) / entry * TAKER + Decimal(lots) / exit_price * TAKER
    row = await closed_row(rest, INVERSE)
    assert row["type"] == "CLOSE_SHORT"
    assert Decimal(row["pnl"]) == q8(gross - fees)
    fills = await rest.request("GET", "/api/v1/fills", params={"symbol": INVERSE}, signed=True)
    assert {f["feeCurrency"] for f in fills["items"]} == {"XBT"}
    assert Decimal(fills["items"][0]["value"]) == q8(Decimal(lots) / exit_price)


async def test_a_usdc_trade_moves_the_usdc_wallet_only(rest: RestClient) -> None:
    before = {c: (await overview(rest, c))["marginBalance"] for c in ("USDT", "USDC", "XBT")}
    assert before == {"USDT": 100_000.0, "USDC": 10_000.0, "XBT": 1.0}
    price, lots = await take(rest, "XBTUSDCM", "buy", 3)
    value = lots * Decimal("0.001") * price
    usdc = await overview(rest, "USDC")
    assert Decimal(str(usdc["marginBalance"])) == q8(10_000 - value * TAKER)
    assert Decimal(str(usdc["positionMargin"])) == q8(value / LEVERAGE)
    assert (await overview(rest, "USDT"))["marginBalance"] == 100_000.0
    assert (await overview(rest, "XBT"))["marginBalance"] == 1.0
    usdc_positions = await rest.request(
        "GET", "/api/v1/positions", params={"currency": "USDC"}, signed=True
    )
    assert [p["symbol"] for p in usdc_positions] == ["XBTUSDCM"]
    assert (
        await rest.request("GET", "/api/v1/positions", params={"currency": "USDT"}, signed=True)
        == []
    )


async def test_risk_limit_tiers_are_kucoins_ladder(rest: RestClient) -> None:
    tiers = await rest.request("GET", "/api/v1/contracts/risk-limit/XBTUSDTM")
    assert [(t["level"], t["maxRiskLimit"], t["maxLeverage"]) for t in tiers[:3]] == [
        (1, 100_000, 125),
        (2, 500_000, 100),
        (3, 1_000_000, 75),
    ]
    assert tiers[1]["minRiskLimit"] == 100_000 and tiers[1]["maintainMargin"] == 0.005
    inverse = await rest.request("GET", f"/api/v1/contracts/risk-limit/{INVERSE}")
    assert inverse[0]["maxLeverage"] == 50 and inverse[0]["maintainMargin"] == 0.01
    assert all(a["maxRiskLimit"] == b["minRiskLimit"] for a, b in itertools.pairwise(inverse))


@pytest.fixture
async def funding_rest() -> AsyncIterator[RestClient]:
    exchange = SimExchange(SimConfig(port=0, market=False, seed=11, funding_interval_s=0.5))
    await exchange.start()
    client = RestClient(exchange.base_url, credentials_for(exchange))
    yield client
    await client.close()
    await exchange.stop()


async def test_funding_on_an_inverse_position_is_paid_in_xbt(funding_rest: RestClient) -> None:
    rest = funding_rest
    settlements: list[dict[str, Any]] = []
    stream = WsStream(rest.bullet_private, private=True, name="private")
    stream.subscribe(
        f"/contract/position:{INVERSE}",
        lambda f: settlements.append(f) if f["subject"] == "position.settlement" else None,
    )
    runner = asyncio.ensure_future(stream.run())
    try:
        await wait_for(lambda: stream.state == "connected", what="private stream")
        _, lots = await take(rest, INVERSE, "sell", 40)
        await wait_for(lambda: settlements, what="a funding settlement of XBTUSDM")
    finally:
        await stream.close()
        await runner
    assert settlements[0]["data"]["settleCurrency"] == "XBT"
    page = await rest.request(
        "GET", "/api/v1/funding-history", params={"symbol": INVERSE}, signed=True
    )
    rows = page["dataList"]
    row = rows[0]
    assert row["settleCurrency"] == "XBT" and row["positionQty"] == -lots
    mark, rate = Decimal(str(row["markPrice"])), Decimal(str(row["fundingRate"]))
    # funding = -(qty x |multiplier| / mark) x rate: a short receives a positive rate.
    assert Decimal(str(row["funding"])) == q8(Decimal(lots) / mark * rate)
    ledger = await rest.request(
        "GET",
        "/api/v1/transaction-history",
        params={"currency": "XBT", "type": "Funding"},
        signed=True,
    )
    assert [line["currency"] for line in ledger["dataList"]][:1] == ["XBT"]


async def test_the_wallet_push_of_an_inverse_fill_is_the_xbt_wallet(rest: RestClient) -> None:
    wallets: list[dict[str, Any]] = []
    stream = WsStream(rest.bullet_private, private=True, name="private")
    stream.subscribe("/contractAccount/wallet", lambda f: wallets.append(f["data"]))
    runner = asyncio.ensure_future(stream.run())
    try:
        await wait_for(lambda: stream.state == "connected", what="private stream")
        entry, lots = await take(rest, INVERSE, "buy", 20)
        await wait_for(lambda: any(w["currency"] == "XBT" for w in wallets), what="XBT wallet")
    finally:
        await stream.close()
        await runner
    xbt = [w for w in wallets if w["currency"] == "XBT"][-1]
    fee = Decimal(lots) / entry * TAKER
    assert Decimal(xbt["walletBalance"]) == q8(1 - fee)
    assert Decimal(xbt["isolatedPosMargin"]) == q8(Decimal(lots) / entry / LEVERAGE)
    assert all(w["currency"] == "XBT" for w in wallets)  # the USDT wallet did not move
