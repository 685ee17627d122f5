"""The exchange remembers accounts, positions and orders across a restart (SQLite)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from kcterm.sim import SimConfig, SimExchange
from kcterm.venue.kucoin.rest import RestClient
from tests.integration.conftest import credentials_for

SYMBOL = "XBTUSDTM"


async def test_a_restart_keeps_balance_position_open_and_stop_orders(tmp_path: Path) -> None:
    state = tmp_path / "sim.sqlite"
    config = SimConfig(port=0, market=False, seed=4, state_path=state)
    first = SimExchange(config)
    await first.start()
    rest = RestClient(first.base_url, credentials_for(first))
    try:
        await rest.place_order(
            {
                "clientOid": "pos-1",
                "symbol": SYMBOL,
                "side": "buy",
                "type": "market",
                "size": 5,
                "leverage": 10,
            }
        )
        resting = await rest.place_order(
            {
                "clientOid": "rest-1",
                "symbol": SYMBOL,
                "side": "buy",
                "type": "limit",
                "price": "85000.0",
                "size": 2,
                "leverage": 10,
            }
        )
        stop = await rest.place_order(
            {
                "clientOid": "stop-1",
                "symbol": SYMBOL,
                "side": "sell",
                "type": "market",
                "size": 5,
                "stop": "down",
                "stopPrice": "80000.0",
                "stopPriceType": "MP",
                "reduceOnly": True,
            }
        )
        before = await rest.request(
            "GET", "/api/v1/account-overview", params={"currency": "USDT"}, signed=True
        )
        position = await rest.request(
            "GET", "/api/v1/position", params={"symbol": SYMBOL}, signed=True
        )
    finally:
        await rest.close()
        await first.stop()

    second = SimExchange(config)
    await second.start()
    rest = RestClient(second.base_url, credentials_for(second))
    try:
        after = await rest.request(
            "GET", "/api/v1/account-overview", params={"currency": "USDT"}, signed=True
        )
        assert Decimal(str(after["marginBalance"])) == Decimal(str(before["marginBalance"]))
        again = await rest.request(
            "GET", "/api/v1/position", params={"symbol": SYMBOL}, signed=True
        )
        assert again["currentQty"] == 5 and again["avgEntryPrice"] == position["avgEntryPrice"]
        active = await rest.active_orders(SYMBOL)
        assert resting["orderId"] in {o["id"] for o in active}
        assert second.book(SYMBOL)["bids"][0][0] >= 85000  # it rests in the book again
        stops = await rest.request("GET", "/api/v1/stopOrders", signed=True)
        assert [o["id"] for o in stops["items"]] == [stop["orderId"]]
        fresh = await rest.place_order(
            {
                "clientOid": "after-1",
                "symbol": SYMBOL,
                "side": "buy",
                "type": "limit",
                "price": "84000.0",
                "size": 1,
                "leverage": 10,
            }
        )
        assert int(fresh["orderId"]) > int(stop["orderId"])  # ids never repeat
        fills = await rest.request("GET", "/api/v1/fills", params={"symbol": SYMBOL}, signed=True)
        assert sum(f["size"] for f in fills["items"]) == 5
    finally:
        await rest.close()
        await second.stop()


async def test_without_a_state_path_nothing_is_written(tmp_path: Path) -> None:
    exchange = SimExchange(SimConfig(port=0, market=False))
    await exchange.start()
    await exchange.stop()
    assert exchange.store is None and not list(tmp_path.iterdir())
