"""Batch placing, multi-cancel, TP/SL st-orders and the stop-order endpoints, over loopback."""

from __future__ import annotations

import pytest

from kcterm.venue.kucoin.errors import KucoinError
from kcterm.venue.kucoin.rest import RestClient

SYMBOL = "XBTUSDTM"


def limit(oid: str, price: str, size: int = 1, side: str = "buy") -> dict:
    return {
        "clientOid": oid,
        "symbol": SYMBOL,
        "side": side,
        "type": "limit",
        "price": price,
        "size": size,
        "leverage": 5,
    }


async def test_batch_place_answers_each_order_and_multi_cancel_by_client_oid(
    rest: RestClient,
) -> None:
    orders = [limit(f"b{i}", f"{85000 + i}.0") for i in range(3)] + [limit("bad", "85000.05")]
    replies = await rest.request("POST", "/api/v1/orders/multi", body=orders, signed=True)
    assert [r["code"] for r in replies] == ["200000", "200000", "200000", "400100"]
    assert replies[3]["clientOid"] == "bad" and "tick" in replies[3]["msg"]
    with pytest.raises(KucoinError) as info:
        await rest.request(
            "POST",
            "/api/v1/orders/multi",
            body=[limit(f"x{i}", "85000.0") for i in range(21)],
            signed=True,
        )
    assert info.value.code == "400100"
    cancelled = await rest.request(
        "DELETE",
        "/api/v1/orders/multi-cancel",
        signed=True,
        body={
            "clientOidsList": [
                {"symbol": SYMBOL, "clientOid": "b0"},
                {"symbol": SYMBOL, "clientOid": "nope"},
            ]
        },
    )
    assert [(c["clientOid"], c["code"]) for c in cancelled] == [("b0", "200"), ("nope", "100004")]
    left = await rest.active_orders(SYMBOL)
    assert sorted(o["clientOid"] for o in left) == ["b1", "b2"]


async def test_tpsl_order_waits_in_stop_orders_and_cancels(rest: RestClient) -> None:
    body = {
        **limit("tpsl-1", "80000.0"),
        "stopPriceType": "MP",
        "triggerStopUpPrice": "120000.0",
        "triggerStopDownPrice": "85000.0",
    }
    placed = await rest.request("POST", "/api/v1/st-orders", body=body, signed=True)
    stops = await rest.request("GET", "/api/v1/stopOrders", params={"symbol": SYMBOL}, signed=True)
    assert [o["id"] for o in stops["items"]] == [placed["orderId"]]
    assert stops["items"][0]["stopPriceType"] == "MP" and not stops["items"][0]["stopTriggered"]
    await rest.request(
        "POST",
        "/api/v1/orders",
        signed=True,
        body={
            **limit("stop-1", "90000.0"),
            "stop": "down",
            "stopPrice": "70000.0",
            "stopPriceType": "TP",
        },
    )
    gone = await rest.request(
        "DELETE", "/api/v1/stopOrders", params={"symbol": SYMBOL}, signed=True
    )
    assert len(gone["cancelledOrderIds"]) == 2
    after = await rest.request("GET", "/api/v1/stopOrders", signed=True)
    assert after["items"] == [] and after["totalNum"] == 0
