"""One valid request for every REST endpoint the exchange serves, made over loopback after the
account has something in every list (desk.prepare).

``harvest`` runs every case in order on one fresh exchange and keeps each reply (or the error
it raised), so every endpoint gets its own test id while the state is built once. Cases that
change state (cancels, margin moves) make their own target first, so the order of the list
only matters where a case says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials
from tests.contract.desk import ETH, SOL, XBT, Desk, prepare


async def _cancel_one(desk: Desk) -> Any:
    order_id = await desk.place(desk.limit(XBT))
    return await desk.delete(f"/api/v1/orders/{order_id}")


async def _cancel_by_client_oid(desk: Desk) -> Any:
    body = desk.limit(XBT)
    await desk.place(body)
    return await desk.delete(f"/api/v1/orders/client-order/{body['clientOid']}", symbol=XBT)


async def _cancel_many(desk: Desk) -> Any:
    ids = [await desk.place(desk.limit(XBT)) for _ in range(2)]
    return await desk.delete("/api/v1/orders/multi-cancel", {"orderIdsList": [*ids, "1"]})


async def _cancel_many_by_client_oid(desk: Desk) -> Any:
    body = desk.limit(XBT)
    await desk.place(body)
    listed = [{"symbol": XBT, "clientOid": oid} for oid in (body["clientOid"], "no-such-order")]
    return await desk.delete("/api/v1/orders/multi-cancel", {"clientOidsList": listed})


async def _cancel_all(desk: Desk) -> Any:
    await desk.place(desk.limit(ETH))
    return await desk.delete("/api/v3/orders", symbol=ETH)


async def _cancel_all_v1(desk: Desk) -> Any:
    # Deprecated but documented (spec/REFERENCE.md 7.12): open orders go, stop orders stay.
    await desk.place(desk.limit(ETH))
    return await desk.delete("/api/v1/orders", symbol=ETH)


async def _cancel_stops(desk: Desk) -> Any:
    await desk.place(desk.stop(ETH))
    return await desk.delete("/api/v1/stopOrders", symbol=ETH)


async def _place_many(desk: Desk) -> Any:
    refused = {**desk.limit(XBT), "price": "1.05"}  # off the tick: 400100 for this one only
    return await desk.post("/api/v1/orders/multi", [desk.limit(XBT), refused])


async def _batch_margin_mode(desk: Desk) -> Any:
    # XBTUSDTM holds a position, so switching it fails: the reply has a marginMode and an error.
    body = {"marginMode": "CROSS", "symbols": [XBT]}
    return await desk.post("/api/v2/position/batchChangeMarginMode", body)


Call = Callable[[Desk], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    template: str  # as the exchange routes it
    call: Call


def _c(method: str, template: str, call: Call, label: str = "") -> Case:
    return Case(f"{method} {template}{label}", method, template, call)


def _now(desk: Desk) -> int:
    return desk.sim.clock.now_ms()


CASES: list[Case] = [
    # public
    _c("GET", "/api/v1/timestamp", lambda d: d.get("/api/v1/timestamp")),
    _c("GET", "/api/v1/status", lambda d: d.get("/api/v1/status")),
    _c("GET", "/api/v1/contracts/active", lambda d: d.get("/api/v1/contracts/active")),
    _c("GET", "/api/v1/contracts/{symbol}", lambda d: d.get(f"/api/v1/contracts/{XBT}")),
    _c("GET", "/api/v1/ticker", lambda d: d.get("/api/v1/ticker", symbol=XBT)),
    _c("GET", "/api/v1/allTickers", lambda d: d.get("/api/v1/allTickers")),
    _c("GET", "/api/v1/level2/snapshot", lambda d: d.get("/api/v1/level2/snapshot", symbol=XBT)),
    _c("GET", "/api/v1/level2/depth{size}", lambda d: d.get("/api/v1/level2/depth20", symbol=XBT)),
    _c("POST", "/api/v1/bullet-public", lambda d: d.post("/api/v1/bullet-public")),
    _c("GET", "/api/v1/trade/history", lambda d: d.get("/api/v1/trade/history", symbol=XBT)),
    _c(
        "GET",
        "/api/v1/kline/query",
        lambda d: d.get("/api/v1/kline/query", symbol=XBT, granularity=60, to=_now(d)),
    ),
    _c(
        "GET",
        "/api/v1/mark-price/{symbol}/current",
        lambda d: d.get(f"/api/v1/mark-price/{XBT}/current"),
    ),
    _c("GET", "/api/v1/index/query", lambda d: d.get("/api/v1/index/query", symbol=".KXBTUSDT")),
    _c(
        "GET",
        "/api/v1/premium/query",
        lambda d: d.get("/api/v1/premium/query", symbol=".XBTUSDTMPI8H"),
    ),
    _c(
        "GET",
        "/api/v1/interest/query",
        lambda d: d.get("/api/v1/interest/query", symbol=".XBTINT8H"),
    ),
    _c(
        "GET",
        "/api/v1/funding-rate/{symbol}/current",
        lambda d: d.get(f"/api/v1/funding-rate/{XBT}/current"),
    ),
    _c(
        "GET",
        "/api/v1/contract/funding-rates",
        lambda d: d.get(
            "/api/v1/contract/funding-rates",
            symbol=XBT,
            **{"from": _now(d) - 86_400_000},
            to=_now(d),
        ),
    ),
    _c("GET", "/api/v1/trade-statistics", lambda d: d.get("/api/v1/trade-statistics")),
    _c(
        "GET",
        "/api/v1/contracts/risk-limit/{symbol}",
        lambda d: d.get(f"/api/v1/contracts/risk-limit/{XBT}"),
    ),
    # orders: reads first, while the prepared orders still wait
    _c("POST", "/api/v1/bullet-private", lambda d: d.post("/api/v1/bullet-private")),
    _c("GET", "/api/v1/orders", lambda d: d.get("/api/v1/orders", status="active"), "?active"),
    _c("GET", "/api/v1/orders", lambda d: d.get("/api/v1/orders", status="done"), "?done"),
    _c(
        "GET",
        "/api/v1/orders/{orderId}",
        lambda d: d.get(f"/api/v1/orders/{d.ids['resting']}"),
        " (resting limit)",
    ),
    _c(
        "GET",
        "/api/v1/orders/{orderId}",
        lambda d: d.get(f"/api/v1/orders/{d.ids['filled']}"),
        " (filled market)",
    ),
    _c(
        "GET",
        "/api/v1/orders/{orderId}",
        lambda d: d.get(f"/api/v1/orders/{d.ids['stop']}"),
        " (waiting stop)",
    ),
    _c(
        "GET",
        "/api/v1/orders/byClientOid",
        lambda d: d.get("/api/v1/orders/byClientOid", clientOid=d.ids["resting clientOid"]),
    ),
    _c("GET", "/api/v1/recentDoneOrders", lambda d: d.get("/api/v1/recentDoneOrders")),
    _c("GET", "/api/v1/stopOrders", lambda d: d.get("/api/v1/stopOrders")),
    _c(
        "GET",
        "/api/v1/openOrderStatistics",
        lambda d: d.get("/api/v1/openOrderStatistics", symbol=XBT),
    ),
    # orders: writes
    _c("POST", "/api/v1/orders", lambda d: d.post("/api/v1/orders", d.limit(XBT))),
    _c("POST", "/api/v1/orders/test", lambda d: d.post("/api/v1/orders/test", d.limit(XBT))),
    _c(
        "POST",
        "/api/v1/st-orders",
        lambda d: d.post(
            "/api/v1/st-orders",
            {**d.limit(ETH), "stopPriceType": "TP", "triggerStopUpPrice": d.price(ETH, "1.2")},
        ),
    ),
    _c("POST", "/api/v1/orders/multi", _place_many),
    _c("DELETE", "/api/v1/orders/{orderId}", _cancel_one),
    _c("DELETE", "/api/v1/orders/client-order/{clientOid}", _cancel_by_client_oid),
    _c("DELETE", "/api/v1/orders/multi-cancel", _cancel_many, " (orderIdsList)"),
    _c(
        "DELETE",
        "/api/v1/orders/multi-cancel",
        _cancel_many_by_client_oid,
        " (clientOidsList)",
    ),
    _c("DELETE", "/api/v3/orders", _cancel_all),
    _c("DELETE", "/api/v1/orders", _cancel_all_v1),
    _c("DELETE", "/api/v1/stopOrders", _cancel_stops),
    # account
    _c(
        "GET",
        "/api/v1/account-overview",
        lambda d: d.get("/api/v1/account-overview", currency="USDT"),
    ),
    _c("GET", "/api/v1/trade-fees", lambda d: d.get("/api/v1/trade-fees", symbol=XBT)),
    _c("GET", "/api/v1/fills", lambda d: d.get("/api/v1/fills")),
    _c("GET", "/api/v1/recentFills", lambda d: d.get("/api/v1/recentFills")),
    _c("GET", "/api/v1/transaction-history", lambda d: d.get("/api/v1/transaction-history")),
    _c("GET", "/api/v1/funding-history", lambda d: d.get("/api/v1/funding-history", symbol=XBT)),
    # positions
    _c("GET", "/api/v1/positions", lambda d: d.get("/api/v1/positions")),
    _c("GET", "/api/v1/position", lambda d: d.get("/api/v1/position", symbol=XBT), "?isolated"),
    _c("GET", "/api/v1/position", lambda d: d.get("/api/v1/position", symbol=SOL), "?cross"),
    _c("GET", "/api/v1/history-positions", lambda d: d.get("/api/v1/history-positions")),
    _c(
        "GET",
        "/api/v2/batchGetCrossOrderLimit",
        lambda d: d.get("/api/v2/batchGetCrossOrderLimit", symbol=f"{XBT},ETHUSDTM"),
    ),
    _c(
        "GET",
        "/api/v2/getMaxOpenSize",
        lambda d: d.get("/api/v2/getMaxOpenSize", symbol=XBT, price=d.price(XBT, "1"), leverage=5),
    ),
    _c(
        "GET",
        "/api/v2/position/getMarginMode",
        lambda d: d.get("/api/v2/position/getMarginMode", symbol=XBT),
    ),
    _c(
        "POST",
        "/api/v2/position/changeMarginMode",
        lambda d: d.post(
            "/api/v2/position/changeMarginMode", {"symbol": ETH, "marginMode": "CROSS"}
        ),
    ),
    _c("POST", "/api/v2/position/batchChangeMarginMode", _batch_margin_mode),
    _c(
        "GET",
        "/api/v2/getCrossUserLeverage",
        lambda d: d.get("/api/v2/getCrossUserLeverage", symbol=SOL),
    ),
    _c(
        "POST",
        "/api/v2/changeCrossUserLeverage",
        lambda d: d.post("/api/v2/changeCrossUserLeverage", {"symbol": SOL, "leverage": "8"}),
    ),
    _c(
        "POST",
        "/api/v1/position/margin/deposit-margin",
        lambda d: d.post(
            "/api/v1/position/margin/deposit-margin", {"symbol": XBT, "margin": 5, "bizNo": "bz-2"}
        ),
    ),
    _c(
        "GET",
        "/api/v1/margin/maxWithdrawMargin",
        lambda d: d.get("/api/v1/margin/maxWithdrawMargin", symbol=XBT),
    ),
    _c(
        "POST",
        "/api/v1/margin/withdrawMargin",
        lambda d: d.post("/api/v1/margin/withdrawMargin", {"symbol": XBT, "withdrawAmount": "1"}),
    ),
    _c(
        "POST",
        "/api/v1/position/risk-limit-level/change",
        lambda d: d.post("/api/v1/position/risk-limit-level/change", {"symbol": XBT, "level": 1}),
    ),
]


@dataclass(frozen=True)
class Failure:
    """A case whose request did not succeed: its test fails with this text."""

    text: str


async def harvest() -> dict[str, Any]:
    """{case id: the reply's data, or a Failure}, from one fresh exchange."""
    sim = SimExchange(SimConfig(port=0, market=False, seed=11))
    await sim.start()
    cfg = sim.config
    rest = RestClient(
        sim.base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase, cfg.key_version)
    )
    replies: dict[str, Any] = {}
    try:
        desk = Desk(sim, rest)
        await prepare(desk)
        for case in CASES:
            try:
                replies[case.id] = await case.call(desk)
            except Exception as exc:  # reported by that case's own test
                replies[case.id] = Failure(f"{type(exc).__name__}: {exc}")
    finally:
        await rest.close()
        await sim.stop()
    return replies
