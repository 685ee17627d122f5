"""A signed client on one exchange, with the helpers the contract cases share, and the account
state they need: an isolated and a cross position, fills, a resting order, done orders, a stop
order and an st-order, a closed position, a funding payment and margin added by hand."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from kcterm.sim import SimExchange
from kcterm.venue.kucoin.rest import RestClient

XBT, ETH, SOL = "XBTUSDTM", "ETHUSDTM", "SOLUSDTM"


class Desk:
    """The exchange and a signed client, with the few helpers the cases share."""

    def __init__(self, sim: SimExchange, rest: RestClient) -> None:
        self.sim = sim
        self.rest = rest
        self.ids: dict[str, str] = {}  # what prepare made: name -> order id (or clientOid)
        self._oids = itertools.count(1)

    def oid(self) -> str:
        return f"contract-{next(self._oids)}"  # deterministic clientOids

    async def get(self, path: str, **query: Any) -> Any:
        return await self.rest.request("GET", path, params=query or None, signed=True)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.rest.request("POST", path, body=body, signed=True)

    async def delete(self, path: str, body: Any = None, **query: Any) -> Any:
        return await self.rest.request("DELETE", path, params=query or None, body=body, signed=True)

    def price(self, symbol: str, factor: str) -> str:
        """The mark times ``factor``, on the tick: inside the +-5 % band for 0.95..1.05."""
        market = self.sim.engine.markets[symbol]
        tick = market.spec.tick_size
        return str((market.mark_price * Decimal(factor) / tick).quantize(Decimal(1)) * tick)

    def limit(self, symbol: str, side: str = "buy", size: int = 1, **extra: Any) -> dict:
        factor = "0.97" if side == "buy" else "1.03"  # rests: never crosses the seeded book
        return {
            "clientOid": self.oid(),
            "symbol": symbol,
            "side": side,
            "type": "limit",
            "price": self.price(symbol, factor),
            "size": size,
            "leverage": 5,
            **extra,
        }

    def market(self, symbol: str, side: str, size: int) -> dict:
        body = {"clientOid": self.oid(), "symbol": symbol, "side": side, "type": "market"}
        return {**body, "size": size, "leverage": 5}

    def stop(self, symbol: str) -> dict:
        """A stop-market sell on the last trade price, far below it: it waits."""
        body = self.market(symbol, "sell", 1)
        return {
            **body,
            "stop": "down",
            "stopPriceType": "TP",
            "stopPrice": self.price(symbol, "0.8"),
        }

    async def place(self, body: dict) -> str:
        return (await self.post("/api/v1/orders", body))["orderId"]


async def prepare(desk: Desk) -> None:
    sim = desk.sim
    for market in sim.engine.markets.values():  # an index point now, not at the next second
        market.sample(sim.clock.now_ms())
    desk.ids["filled"] = await desk.place(desk.market(XBT, "buy", 5))  # isolated position
    resting = desk.limit(XBT, remark="contract test")
    desk.ids["resting"] = await desk.place(resting)
    desk.ids["resting clientOid"] = resting["clientOid"]
    desk.ids["stop"] = await desk.place(desk.stop(XBT))
    await desk.post(
        "/api/v1/st-orders",
        {
            **desk.limit(XBT),
            "stopPriceType": "MP",
            "triggerStopUpPrice": desk.price(XBT, "1.2"),
            "triggerStopDownPrice": desk.price(XBT, "0.8"),
        },
    )
    await desk.place(desk.market(ETH, "buy", 3))  # a position opened and closed again
    await desk.place({"clientOid": desk.oid(), "symbol": ETH, "type": "market", "closeOrder": True})
    await desk.post("/api/v2/position/changeMarginMode", {"symbol": SOL, "marginMode": "CROSS"})
    await desk.place(desk.market(SOL, "buy", 2))  # a cross position
    # The next funding time, now: the exchange's own settlement charges the position and
    # records the rate and the period's premium.
    sim.funding.poll(max(state.next_ms for state in sim.funding.states))
    await desk.post(  # margin added by hand, so some can be withdrawn
        "/api/v1/position/margin/deposit-margin", {"symbol": XBT, "margin": 25, "bizNo": "bz-1"}
    )
