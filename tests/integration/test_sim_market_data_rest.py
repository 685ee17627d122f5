"""Market data of the running exchange over loopback, checked against the OpenAPI schemas in
kcterm/spec (every field's JSON type), plus kline limits and the history-to-live join,
bad parameters (400100 naming the field), unknown symbols (100003) and accelerated funding."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from kcterm.spec import SPEC_DIR
from tests.waiting import wait_for

SPEC = SPEC_DIR / "rest"
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}

# The contract fields the spec types as numbers but its own example shows as null (perpetuals).
NULL_IN_EXAMPLE = {"expireDate", "settleDate", "settlementFee"}


def data_schema(file: str, path: str) -> dict[str, Any]:
    spec = json.loads((SPEC / file).read_text())
    reply = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return reply["schema"]["properties"]["data"]


def problems(value: Any, schema: dict[str, Any], where: str = "data") -> list[str]:
    """Where ``value`` breaks ``schema``: JSON types, required fields, no undocumented ones."""
    kind = schema.get("type")
    if kind not in JSON_TYPES or (value is None and where.rpartition(".")[2] in NULL_IN_EXAMPLE):
        return []
    if isinstance(value, bool) and kind != "boolean":
        return [f"{where}: a boolean where the spec has {kind}"]
    if not isinstance(value, JSON_TYPES[kind]):
        return [f"{where}: {type(value).__name__} where the spec has {kind}"]
    found: list[str] = []
    if kind == "object":
        props = schema.get("properties", {})
        found += [f"{where}.{n}: missing" for n in schema.get("required", []) if n not in value]
        found += [f"{where}.{n}: not in the spec" for n in value if n not in props]
        for name, sub in props.items():
            if name in value:
                found += problems(value[name], sub, f"{where}.{name}")
    elif kind == "array":
        for i, item in enumerate(value):
            found += problems(item, schema.get("items", {}), f"{where}[{i}]")
    return found


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get(http: aiohttp.ClientSession, sim: SimExchange, path: str) -> tuple[int, Any]:
    async with http.get(sim.base_url + path) as reply:
        return reply.status, orjson.loads(await reply.read())


async def data(http: aiohttp.ClientSession, sim: SimExchange, path: str) -> Any:
    status, body = await get(http, sim, path)
    assert (status, body["code"]) == (200, "200000"), body
    return body["data"]


async def traded(sim: SimExchange) -> None:
    """Some trades, and the first per-second index sample of the feeds."""
    await sim.step_market(40)
    market = sim.engine.markets["XBTUSDTM"]
    await wait_for(lambda: len(market.indices.index_points) > 0, 5, "an index sample")
    assert market.trades


async def test_every_endpoint_has_the_documented_types(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    await traded(sim)
    now = int(time.time() * 1000)
    market = "openapi-futures-market.json"
    funding = "openapi-futures-fundingfees.json"
    cases = [
        (market, "/api/v1/trade/history", "/api/v1/trade/history?symbol=XBTUSDTM"),
        (market, "/api/v1/kline/query", "/api/v1/kline/query?symbol=XBTUSDTM&granularity=60"),
        (market, "/api/v1/kline/query", "/api/v1/kline/query?symbol=.KXBTUSDT&granularity=5"),
        (market, "/api/v1/kline/query", "/api/v1/kline/query?symbol=.XBTUSDTMPI&granularity=1"),
        (market, "/api/v1/mark-price/{symbol}/current", "/api/v1/mark-price/XBTUSDTM/current"),
        (market, "/api/v1/index/query", "/api/v1/index/query?symbol=.KXBTUSDT"),
        (market, "/api/v1/premium/query", "/api/v1/premium/query?symbol=.XBTUSDTMPI"),
        (market, "/api/v1/interest/query", "/api/v1/interest/query?symbol=.USDTINT8H"),
        (market, "/api/v1/trade-statistics", "/api/v1/trade-statistics"),
        (funding, "/api/v1/funding-rate/{symbol}/current", "/api/v1/funding-rate/XBTUSDTM/current"),
        (
            funding,
            "/api/v1/contract/funding-rates",
            f"/api/v1/contract/funding-rates?symbol=XBTUSDTM&from={now - 5 * 86_400_000}&to={now}",
        ),
        (market, "/api/v1/contracts/{symbol}", "/api/v1/contracts/XBTUSDTM"),
    ]
    for file, template, path in cases:
        payload = await data(http, sim, path)
        assert payload, path
        assert problems(payload, data_schema(file, template)) == [], path


async def test_field_units_follow_the_examples(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    await traded(sim)
    trades = await data(http, sim, "/api/v1/trade/history?symbol=XBTUSDTM")
    assert 0 < len(trades) <= 100
    assert trades[0]["ts"] > 10**18 and isinstance(trades[0]["price"], str)  # ns, string
    assert [t["ts"] for t in trades] == sorted((t["ts"] for t in trades), reverse=True)
    assert trades[0]["tradeId"] == sim.engine.markets["XBTUSDTM"].last_trade_id
    mark = await data(http, sim, "/api/v1/mark-price/ETHUSDTM/current")
    assert mark["symbol"] == "ETHUSDTM" and mark["granularity"] == 1000
    assert mark["timePoint"] % 1000 == 0 and mark["timePoint"] < 10**13  # ms
    current = await data(http, sim, "/api/v1/funding-rate/XBTUSDTM/current")
    assert current["symbol"] == ".XBTUSDTMFPI8H" and current["granularity"] == 28_800_000
    assert current["fundingTime"] % 28_800_000 == 0 and current["fundingTime"] > time.time() * 1000
    assert -0.003 <= current["value"] <= 0.003 and current["fundingRateCap"] == 0.003
    contract = await data(http, sim, "/api/v1/contracts/XBTUSDTM")
    assert contract["fundingFeeRate"] == current["value"]
    assert 0 < contract["nextFundingRateTime"] <= 28_800_000  # a countdown
    assert contract["volumeOf24h"] > 0 and contract["lowPrice"] <= contract["highPrice"]
    rates = await data(
        http,
        sim,
        "/api/v1/contract/funding-rates?symbol=XBTUSDTM&from=1700000000000&to=1700100000000",
    )
    assert [r["timepoint"] for r in rates] == [
        1700092800000,
        1700064000000,
        1700035200000,
        1700006400000,
    ]
    index = await data(http, sim, "/api/v1/index/query?symbol=.KETHUSDT&maxCount=1")
    item = index["dataList"][0]
    assert (
        item["decomposionList"][0]["weight"] == 1.0
        and item["value"] == item["decomposionList"][0]["price"]
    )
    interest = await data(http, sim, "/api/v1/interest/query?symbol=.XBTINT&maxCount=3")
    assert [p["value"] for p in interest["dataList"]] == [0.0003] * 3 and interest["hasMore"]
    steps = [
        a["timePoint"] - b["timePoint"]
        for a, b in zip(interest["dataList"], interest["dataList"][1:], strict=False)
    ]
    assert steps == [60_000, 60_000]


async def test_klines_join_history_and_live_trades_without_a_gap(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    market = sim.engine.markets["XBTUSDTM"]
    seam = market.chart.live.first_ms
    await traded(sim)
    rows = await data(
        http, sim, f"/api/v1/kline/query?symbol=XBTUSDTM&granularity=1&from={seam - 180_000}"
    )
    starts = [r[0] for r in rows]
    assert starts[:4] == [seam - 180_000, seam - 120_000, seam - 60_000, seam]
    assert all(b - a == 60_000 for a, b in itertools.pairwise(starts))
    assert rows[2][4] == rows[3][1] == 91250.0  # the last history close is the first live open
    trades = await data(http, sim, "/api/v1/trade/history?symbol=XBTUSDTM")
    assert len(trades) < 100  # all of them, so the volumes can be checked
    for row in rows[3:]:
        mine = [t for t in trades if row[0] <= t["ts"] // 1_000_000 < row[0] + 60_000]
        assert row[5] == sum(t["size"] for t in mine)
        prices = [float(t["price"]) for t in mine]
        if prices:
            assert row[2] >= max(prices) and row[3] <= min(prices)
    assert rows[-1][4] == float(trades[0]["price"])


async def test_kline_rows_are_limited_to_500_and_page_forward(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    latest = await data(http, sim, "/api/v1/kline/query?symbol=XBTUSDTM&granularity=1440")
    assert (
        len(latest) == 500 and latest[-1][0] == int(time.time() * 1000) // 86_400_000 * 86_400_000
    )
    first = await data(http, sim, "/api/v1/kline/query?symbol=XBTUSDTM&granularity=30&from=0")
    assert len(first) == 500
    following = await data(
        http,
        sim,
        f"/api/v1/kline/query?symbol=XBTUSDTM&granularity=30&from={first[-1][0] + 1_800_000}",
    )
    assert following[0][0] == first[-1][0] + 1_800_000 and following[0][1] == first[-1][4]
    window = await data(
        http,
        sim,
        f"/api/v1/kline/query?symbol=XBTUSDTM&granularity=60&from={latest[-30][0]}&to={latest[-29][0]}",
    )
    assert len(window) == 25 and window[0][0] == latest[-30][0]
    weekly = await data(http, sim, "/api/v1/kline/query?symbol=XBTUSDTM&granularity=10080&from=0")
    assert all((r[0] - 4 * 86_400_000) % (7 * 86_400_000) == 0 for r in weekly)  # Mondays


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/kline/query?granularity=1", "symbol"),
        ("/api/v1/kline/query?symbol=XBTUSDTM", "granularity"),
        ("/api/v1/kline/query?symbol=XBTUSDTM&granularity=3", "granularity"),
        ("/api/v1/kline/query?symbol=XBTUSDTM&granularity=1min", "granularity"),
        ("/api/v1/kline/query?symbol=XBTUSDTM&granularity=1&from=yesterday", "from"),
        ("/api/v1/kline/query?symbol=XBTUSDTM&granularity=1&from=20&to=10", "from"),
        ("/api/v1/kline/query?symbol=XBTUSDTM&granularity=1&to=-5", "to"),
        ("/api/v1/trade/history", "symbol"),
        ("/api/v1/index/query?symbol=.KXBTUSDT&maxCount=101", "maxCount"),
        ("/api/v1/index/query?symbol=.KXBTUSDT&reverse=maybe", "reverse"),
        ("/api/v1/premium/query?symbol=.XBTUSDTMPI&offset=x", "offset"),
        ("/api/v1/interest/query?symbol=.XBTINT&startAt=1.5", "startAt"),
        ("/api/v1/contract/funding-rates?symbol=XBTUSDTM&to=1", "from"),
        ("/api/v1/contract/funding-rates?symbol=XBTUSDTM&from=1", "to"),
        ("/api/v1/contract/funding-rates?from=1&to=2", "symbol"),
    ],
)
async def test_bad_parameters_get_400100_naming_the_field(
    sim: SimExchange, http: aiohttp.ClientSession, path: str, field: str
) -> None:
    status, body = await get(http, sim, path)
    assert (status, body["code"]) == (400, "400100")
    assert field in body["msg"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/kline/query?symbol=ZZZUSDTM&granularity=1",
        "/api/v1/trade/history?symbol=ZZZUSDTM",
        "/api/v1/mark-price/ZZZUSDTM/current",
        "/api/v1/funding-rate/ZZZUSDTM/current",
        "/api/v1/contract/funding-rates?symbol=ZZZUSDTM&from=1&to=2",
        "/api/v1/index/query?symbol=.KZZZUSDT",
        "/api/v1/premium/query?symbol=.ZZZUSDTMPI",
        "/api/v1/interest/query?symbol=.ZZZINT",
    ],
)
async def test_unknown_symbols_get_100003(
    sim: SimExchange, http: aiohttp.ClientSession, path: str
) -> None:
    _, body = await get(http, sim, path)
    assert body["code"] == "100003" and "ZZZ" in body["msg"]


async def test_an_accelerated_funding_clock_calls_its_listeners_and_records_history() -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, seed=11, funding_interval_s=0.3))
    settled: list[tuple[str, Decimal, int]] = []
    exchange.funding.add_listener(lambda s, rate, t: settled.append((s, rate, t)))
    await exchange.start()
    try:
        await wait_for(lambda: len([e for e in settled if e[0] == "XBTUSDTM"]) >= 2, 5, "two")
        xbt = [e for e in settled if e[0] == "XBTUSDTM"]
        assert {s for s, _, _ in settled} == set(exchange.engine.markets)  # every one listed
        assert xbt[1][2] - xbt[0][2] == 300 and all(isinstance(r, Decimal) for _, r, _ in xbt)
        async with aiohttp.ClientSession() as http:
            current = await data(http, exchange, "/api/v1/funding-rate/XBTUSDTM/current")
            assert current["granularity"] == 300 and current["timePoint"] >= xbt[1][2]
            assert current["fundingTime"] == current["timePoint"] + 300
            contract = await data(http, exchange, "/api/v1/contracts/XBTUSDTM")
            assert contract["fundingRateGranularity"] == 300
            assert 0 <= contract["nextFundingRateTime"] <= 300
            history = await data(
                http,
                exchange,
                f"/api/v1/contract/funding-rates?symbol=XBTUSDTM&from={xbt[0][2]}&to={xbt[1][2]}",
            )
        assert [(h["timepoint"], Decimal(repr(h["fundingRate"]))) for h in history] == [
            (t, rate) for _, rate, t in reversed(xbt[:2])
        ]
    finally:
        await exchange.stop()


async def test_every_series_a_contract_names_is_served(
    sim: SimExchange, http: aiohttp.ClientSession
) -> None:
    """A client reads the names of a contract's index, premium and interest series from the
    contract object and asks for them: each one is served, for the USDC and inverse contracts
    (.KXBTUSDC, .BXBT, .USDINT8H, .USDCINT8H) as much as for the USDT ones."""
    await traded(sim)
    contracts = await data(http, sim, "/api/v1/contracts/active")
    assert {"XBTUSDM", "XBTUSDCM"} <= {c["symbol"] for c in contracts}
    asked: list[str] = []
    for contract in contracts:
        index = contract["indexSymbol"]
        asked += [
            f"/api/v1/index/query?symbol={index}",
            f"/api/v1/kline/query?symbol={index}&granularity=5",
            f"/api/v1/premium/query?symbol={contract['premiumsSymbol1M']}",
            f"/api/v1/premium/query?symbol={contract['premiumsSymbol8H']}",
        ]
        for key in ("fundingBaseSymbol", "fundingQuoteSymbol"):
            asked.append(f"/api/v1/interest/query?symbol={contract[key]}")
            asked.append(f"/api/v1/interest/query?symbol={contract[key + '1M']}")
    refused = []
    for path in asked:
        status, body = await get(http, sim, path)
        if (status, body["code"]) != (200, "200000"):
            refused.append((path, body))
    assert refused == []
