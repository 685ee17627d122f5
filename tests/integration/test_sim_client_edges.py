"""The practice exchange at the edges a third-party client finds (issue 12 items 1-7 and 9),
spoken to over loopback with raw, hand-signed aiohttp requests as such a client would: key
versions, header case, encodings, huge numbers, batches, the dry-run endpoint, cancel-all V1,
the active-order list, wallet pushes, WebSocket tokens and big frames.

The signing here is written from spec/REFERENCE.md section 4, not taken from kcterm.venue.kucoin, so
the exchange is checked against the spec, not against our own client.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import orjson
import pytest

from kcterm.sim import SimConfig, SimExchange
from tests.waiting import wait_for

SYMBOL = "XBTUSDTM"


def _b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def signed(
    sim: SimExchange,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    version: str | None = None,
    plain_passphrase: bool = False,
    lower: bool = False,
    **overrides: str,
) -> dict[str, str]:
    cfg = sim.config
    now = str(int(time.time() * 1000))
    headers = {
        "KC-API-KEY": cfg.key,
        "KC-API-SIGN": _b64(cfg.secret, f"{now}{method}{path}".encode() + body),
        "KC-API-TIMESTAMP": now,
        "KC-API-PASSPHRASE": cfg.passphrase
        if plain_passphrase
        else _b64(cfg.secret, cfg.passphrase.encode()),
        "KC-API-KEY-VERSION": version or cfg.key_version,
        "Content-Type": "application/json",
    }
    headers.update(overrides)
    return {k.lower(): v for k, v in headers.items()} if lower else headers


class Client:
    def __init__(self, sim: SimExchange, http: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.http = http

    async def send(
        self, method: str, path: str, body: Any = None, **sign: Any
    ) -> tuple[int, dict[str, Any]]:
        raw = b"" if body is None else orjson.dumps(body)
        headers = sign.pop("headers", None) or signed(self.sim, method, path, raw, **sign)
        async with self.http.request(
            method, self.sim.base_url + path, data=raw or None, headers=headers
        ) as reply:
            return reply.status, orjson.loads(await reply.read())


@pytest.fixture
async def sim() -> AsyncIterator[SimExchange]:
    exchange = SimExchange(SimConfig(port=0, market=False, seed=11, futures_quota=100_000))
    await exchange.start()
    yield exchange
    await exchange.stop()


@pytest.fixture
async def client(sim: SimExchange) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as http:
        yield Client(sim, http)


def best(sim: SimExchange, side: str) -> Decimal:
    book = sim.book(SYMBOL)
    return Decimal(str(book["bids" if side == "buy" else "asks"][0][0]))


def limit(oid: str, side: str, price: Decimal, size: int | str = 1, **extra: Any) -> dict[str, Any]:
    body = {
        "clientOid": oid,
        "symbol": SYMBOL,
        "side": side,
        "type": "limit",
        "price": str(price),
        "size": size,
        "leverage": 10,
    }
    body.update(extra)
    return body


# -- 1. key versions ---------------------------------------------------------------------


async def test_version_2_and_3_headers_work_on_a_version_3_key(client: Client) -> None:
    for version in ("2", "3"):
        status, body = await client.send("GET", "/api/v1/orders?status=active", version=version)
        assert (status, body["code"]) == (200, "200000"), (version, body)
    status, body = await client.send(
        "GET", "/api/v1/orders?status=active", version="1", plain_passphrase=True
    )
    assert (status, body["code"]) == (401, "400004")
    assert "KC-API-KEY-VERSION 1" in body["msg"] and "version 3" in body["msg"]
    status, body = await client.send(
        "GET", "/api/v1/orders?status=active", **{"KC-API-PASSPHRASE": "bm9wZQ=="}
    )
    assert (status, body) == (401, {"code": "400004", "msg": "Invalid KC-API-PASSPHRASE"})


async def test_a_version_1_key_takes_the_plain_passphrase() -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, key_version="1"))
    await exchange.start()
    try:
        async with aiohttp.ClientSession() as http:
            client = Client(exchange, http)
            status, body = await client.send(
                "GET", "/api/v1/orders?status=active", version="1", plain_passphrase=True
            )
            assert (status, body["code"]) == (200, "200000")
            status, body = await client.send("GET", "/api/v1/orders?status=active", version="1")
            assert (status, body["msg"]) == (401, "Invalid KC-API-PASSPHRASE")
            status, body = await client.send(
                "GET", "/api/v1/orders?status=active", version="2", plain_passphrase=True
            )
            assert status == 401 and "this API key is version 1" in body["msg"]
    finally:
        await exchange.stop()


def test_the_command_offers_key_version_1() -> None:
    from kcterm.sim.cli import parse_args

    assert parse_args(["--key-version", "1", "--memory"]).key_version == "1"


# -- 5. header names in any case -----------------------------------------------------------


async def test_lower_case_header_names_are_accepted(client: Client, sim: SimExchange) -> None:
    status, body = await client.send("GET", "/api/v1/orders?status=active", lower=True)
    assert (status, body["code"]) == (200, "200000")
    price = best(sim, "buy") - 50
    raw = orjson.dumps(limit("lower-1", "buy", price))
    headers = signed(sim, "POST", "/api/v1/orders", raw, lower=True)
    assert all(name == name.lower() for name in headers)
    status, body = await client.send(
        "POST", "/api/v1/orders", limit("lower-1", "buy", price), headers=headers
    )
    assert (status, body["code"]) == (200, "200000") and body["data"]["orderId"]


# -- 6. inputs that used to give HTTP 500 ---------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        {"price": "1e27"},
        {"price": "123456789012345678901234567890.1"},
        {"size": "1e27"},
        {"size": "1e999999999"},
        {"size": "1e-999999999"},
        {"price": "1e-999999999"},
        {"price": "91250." + "0" * 40 + "1"},
        {"qty": "1e28", "size": None},
        {"valueQty": "9e30", "size": None},
        {"stop": "down", "stopPrice": "1e40", "stopPriceType": "TP"},
        {"price": "99999999"},  # far above maxPrice: refused before any margin sum
    ],
)
async def test_huge_numbers_get_a_kucoin_refusal(
    client: Client, sim: SimExchange, field: dict[str, Any]
) -> None:
    body = limit("huge-1", "buy", best(sim, "buy"))
    body.update(field)
    body = {k: v for k, v in body.items() if v is not None}
    status, reply = await client.send("POST", "/api/v1/orders", body)
    assert status < 500 and reply["code"] not in ("200000", "500000"), reply
    assert set(reply) == {"code", "msg"}


async def test_non_ascii_sign_or_passphrase_is_refused_and_metered(
    client: Client, sim: SimExchange
) -> None:
    path = "/api/v1/orders?status=active"
    for header in ("KC-API-SIGN", "KC-API-PASSPHRASE"):
        headers = signed(sim, "GET", path)
        headers[header] = "sig\u00e9\u4e2d"  # aiohttp sends it as UTF-8 bytes
        async with client.http.get(sim.base_url + path, headers=headers) as reply:
            body = orjson.loads(await reply.read())
            assert reply.status == 401 and body["code"] in ("400004", "400005"), body
            # charged to a pool before the key check, like any request
            assert reply.headers.get("gw-ratelimit-remaining") is not None


async def test_one_bad_item_of_a_batch_fails_only_itself(client: Client, sim: SimExchange) -> None:
    price = best(sim, "buy") - 30
    items = [
        limit("multi-ok-1", "buy", price),
        limit("multi-bad", "buy", price, size="1e30"),
        limit("multi-bad-2", "buy", Decimal("1e27")),
        "not an order",
        limit("multi-ok-2", "buy", price - 1),
    ]
    status, body = await client.send("POST", "/api/v1/orders/multi", items)
    assert (status, body["code"]) == (200, "200000")
    codes = [item["code"] for item in body["data"]]
    assert codes[0] == codes[4] == "200000"
    assert all(code not in ("200000", "500000") for code in codes[1:4]), body["data"]


async def test_control_characters_in_a_header_get_a_kucoin_body(sim: SimExchange) -> None:
    host, port = sim.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /api/v1/timestamp HTTP/1.1\r\nHost: x\r\nKC-API-KEY: secret\x01part\r\n\r\n")
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and b" 400 " in head.split(b"\r\n")[0]
    assert b"application/json" in head
    body = orjson.loads(payload)
    assert set(body) == {"code", "msg"} and body["code"] == "400100"
    assert "secret" not in body["msg"]  # never echoes what was in the header


# -- 2, 3. cancel all V1, the active list and stop orders -------------------------------


async def test_cancel_all_v1_cancels_open_orders_but_not_stops(
    client: Client, sim: SimExchange
) -> None:
    price = best(sim, "buy") - 40
    placed = []
    for i in range(3):
        status, body = await client.send("POST", "/api/v1/orders", limit(f"v1-{i}", "buy", price))
        assert body["code"] == "200000", body
        placed.append(body["data"]["orderId"])
    stop = {
        "clientOid": "v1-stop",
        "symbol": SYMBOL,
        "side": "sell",
        "type": "market",
        "size": 1,
        "leverage": 10,
        "stop": "down",
        "stopPrice": str(best(sim, "buy") - 500),
        "stopPriceType": "TP",
    }
    _, body = await client.send("POST", "/api/v1/orders", stop)
    stop_id = body["data"]["orderId"]

    _, active = await client.send("GET", "/api/v1/orders?status=active")
    active_ids = {o["id"] for o in active["data"]["items"]}
    assert active_ids == set(placed)  # the untriggered stop is not an active order...
    _, stops = await client.send("GET", "/api/v1/stopOrders")
    assert [o["id"] for o in stops["data"]["items"]] == [stop_id]  # ...it is listed here

    status, body = await client.send("DELETE", f"/api/v1/orders?symbol={SYMBOL}")
    assert (status, body["code"]) == (200, "200000")
    assert sorted(body["data"]["cancelledOrderIds"]) == sorted(placed)
    _, stops = await client.send("GET", "/api/v1/stopOrders")
    assert [o["id"] for o in stops["data"]["items"]] == [stop_id]  # excluding stop orders
    _, again = await client.send("POST", "/api/v1/orders", limit("v1-all", "buy", price))
    status, body = await client.send("DELETE", "/api/v1/orders")  # symbol is optional
    assert body["data"]["cancelledOrderIds"] == [again["data"]["orderId"]]
    status, body = await client.send("DELETE", "/api/v1/orders?symbol=NOPEUSDTM")
    assert body["code"] == "100003"


# -- 4. the wallet feed when an order rests and when it is cancelled ----------------------


async def private_ws(client: Client) -> aiohttp.ClientWebSocketResponse:
    _, token = await client.send("POST", "/api/v1/bullet-private")
    ws = await client.http.ws_connect(
        f"{client.sim.ws_url}?token={token['data']['token']}&connectId=w1"
    )
    assert (await ws.receive_json(timeout=5))["type"] == "welcome"
    await ws.send_json(
        {"id": "s1", "type": "subscribe", "topic": "/contractAccount/wallet", "response": True}
    )
    assert (await ws.receive_json(timeout=5))["type"] == "ack"
    return ws


async def next_wallet(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame.get("topic") == "/contractAccount/wallet":
            data: dict[str, Any] = frame["data"]
            return data


async def test_a_resting_order_and_its_cancel_push_the_wallet(
    client: Client, sim: SimExchange
) -> None:
    ws = await private_ws(client)
    try:
        price = best(sim, "buy") - 100
        _, placed = await client.send("POST", "/api/v1/orders", limit("wal-1", "buy", price, 5))
        frozen = await next_wallet(ws)
        assert Decimal(frozen["isolatedOrderMargin"]) > 0
        _, cancel = await client.send("DELETE", f"/api/v1/orders/{placed['data']['orderId']}")
        assert cancel["code"] == "200000"
        freed = await next_wallet(ws)
        assert Decimal(freed["isolatedOrderMargin"]) == 0
        assert Decimal(freed["availableBalance"]) > Decimal(frozen["availableBalance"])
    finally:
        await ws.close()


# -- 7. orders/test runs the real checks ----------------------------------------------------


async def test_the_dry_run_refuses_what_the_real_order_refuses(
    client: Client, sim: SimExchange
) -> None:
    bid, ask = best(sim, "buy"), best(sim, "sell")
    refused = {
        "above maxPrice": limit("t-1", "buy", Decimal("2000000")),
        "outside the band": limit("t-2", "buy", (bid * Decimal("1.2")).quantize(Decimal("0.1"))),
        "too little margin": limit("t-3", "buy", bid - 10, size=900_000, leverage=1),
        "post-only crossing": limit("t-4", "buy", ask, postOnly=True),
    }
    for why, body in refused.items():
        _, real = await client.send("POST", "/api/v1/orders", body)
        _, dry = await client.send("POST", "/api/v1/orders/test", {**body, "clientOid": "d"})
        assert real["code"] != "200000", why
        assert dry["code"] == real["code"], (why, dry, real)
    ok = limit("t-ok", "buy", bid - 10)
    status, dry = await client.send("POST", "/api/v1/orders/test", ok)
    assert (status, dry["code"]) == (200, "200000")
    _, active = await client.send("GET", "/api/v1/orders?status=active")
    assert active["data"]["items"] == []  # nothing was placed by any dry run


# -- 9. WebSocket tokens expire; big frames are told before the close ----------------------


async def test_websocket_tokens_expire_and_are_purged() -> None:
    exchange = SimExchange(SimConfig(port=0, market=False, ws_token_lifetime_ms=300))
    await exchange.start()
    try:
        async with aiohttp.ClientSession() as http:
            client = Client(exchange, http)
            tokens = []
            for _ in range(5):
                _, body = await client.send("POST", "/api/v1/bullet-public")
                tokens.append(body["data"]["token"])
            assert exchange.hub.token_count == 5
            fresh = await http.ws_connect(f"{exchange.ws_url}?token={tokens[0]}&connectId=a")
            assert (await fresh.receive_json(timeout=5))["type"] == "welcome"
            await fresh.close()
            await wait_for(lambda: exchange.hub.token_count == 0, 5, "the tokens to expire")
            late = await http.ws_connect(f"{exchange.ws_url}?token={tokens[1]}&connectId=b")
            frame = await late.receive_json(timeout=5)
            assert frame["type"] == "error" and frame["code"] == 401
            assert "expired" in frame["data"]
            await late.close()
    finally:
        await exchange.stop()
