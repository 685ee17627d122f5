"""RestClient against a tiny aiohttp server defined here that checks signatures itself."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from kcterm.venue.kucoin.errors import KucoinError, TransportError
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.signer import Credentials

KEY, SECRET, PASSPHRASE = "key-1234", "the-very-secret", "the-passphrase"
SERVER_AHEAD_MS = 12_345


def _b64hmac(message: str) -> str:
    mac = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def ok(data: Any, **headers: str) -> web.Response:
    return web.Response(
        body=orjson.dumps({"code": "200000", "data": data}),
        content_type="application/json",
        headers=headers,
    )


def sync(fn: Any) -> Any:
    """aiohttp wants coroutine handlers; these fixed replies need no awaiting."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return fn(request)

    return handler


class FakeExchange:
    """Records every request; verifies auth the way spec/REFERENCE.md 4 tells a simulator to."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.orders = [{"id": str(i)} for i in range(5)]

    async def middleware_verify(self, request: web.Request) -> web.Response | None:
        body = await request.read()
        query = request.raw_path.partition("?")[2]
        self.seen.append(
            {"method": request.method, "raw_path": request.raw_path, "body": body,
             "headers": dict(request.headers)}
        )  # fmt: skip
        if "KC-API-SIGN" not in request.headers:
            return None
        h = request.headers
        ts = h["KC-API-TIMESTAMP"]
        prehash = f"{ts}{request.method}{request.path}"
        if query:
            prehash += "?" + unquote(query)  # the signed query is the un-encoded form
        prehash += body.decode()
        good = (
            h["KC-API-KEY"] == KEY
            and h["KC-API-PASSPHRASE"] == _b64hmac(PASSPHRASE)
            and h["KC-API-KEY-VERSION"] == "3"
            and hmac.compare_digest(h["KC-API-SIGN"], _b64hmac(prehash))
            and abs(int(ts) - (time.time() * 1000 + SERVER_AHEAD_MS)) < 5000
        )
        if not good:
            return web.json_response({"code": "400005", "msg": "Signature error"}, status=401)
        return None

    def app(self) -> web.Application:
        @web.middleware
        async def verify(request: web.Request, handler: Any) -> web.StreamResponse:
            return await self.middleware_verify(request) or await handler(request)

        app = web.Application(middlewares=[verify])
        r = app.router
        rl_headers = {
            "gw-ratelimit-limit": "2000",
            "gw-ratelimit-remaining": "1997",
            "gw-ratelimit-reset": "29000",
        }
        biz = {"code": "300003", "msg": "balance not enough"}
        r.add_get(
            "/api/v1/timestamp", sync(lambda _: ok(int(time.time() * 1000) + SERVER_AHEAD_MS))
        )
        r.add_post("/api/v1/orders", self.place)
        r.add_get("/api/v1/orders", self.list_orders)
        r.add_get("/api/v1/fills", sync(lambda rq: ok({"query": rq.query_string})))
        r.add_delete("/api/v3/orders", sync(lambda rq: ok({"cancelled": [rq.query["symbol"]]})))
        r.add_delete(
            "/api/v1/orders/{oid}", sync(lambda rq: ok({"cancelled": [rq.match_info["oid"]]}))
        )
        r.add_post("/api/v1/bullet-private", sync(lambda _: ok({"token": "t"})))
        r.add_get("/api/v1/orders/byClientOid", self.by_client_oid)
        r.add_get("/api/v1/ticker", sync(lambda _: ok({"price": "1.5"}, **rl_headers)))
        r.add_get("/biz", sync(lambda _: web.json_response(biz)))
        r.add_get(
            "/html", sync(lambda _: web.Response(status=502, text="<html>Bad gateway</html>"))
        )
        r.add_get("/garbage200", sync(lambda _: web.Response(text="not json")))
        r.add_get("/slow", self.slow)
        return app

    async def place(self, request: web.Request) -> web.Response:
        order = orjson.loads(await request.read())
        return ok({"orderId": "1", "clientOid": order["clientOid"]})

    async def list_orders(self, request: web.Request) -> web.Response:
        page, size = int(request.query["currentPage"]), 2
        items = self.orders[(page - 1) * size : page * size]
        return ok({"currentPage": page, "pageSize": size, "totalNum": len(self.orders),
                   "totalPage": 3, "items": items})  # fmt: skip

    async def by_client_oid(self, request: web.Request) -> web.Response:
        oid = request.query["clientOid"]
        if oid == "gone404":
            return web.json_response({"code": "404000", "msg": "not found"}, status=404)
        return ok(None if oid == "missing" else {"clientOid": oid})

    async def slow(self, _: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return ok(1)


@pytest.fixture
async def exchange() -> AsyncIterator[tuple[FakeExchange, RestClient]]:
    fake = FakeExchange()
    server = TestServer(fake.app())
    await server.start_server()
    client = RestClient(str(server.make_url("")), Credentials(KEY, SECRET, PASSPHRASE, "3"))
    await client.sync_clock()
    try:
        yield fake, client
    finally:
        await client.close()
        await server.close()


async def test_sync_clock_measures_offset(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    assert abs(client.clock_offset_ms - SERVER_AHEAD_MS) < 500


async def test_signed_post_sends_exactly_the_signed_bytes(
    exchange: tuple[FakeExchange, RestClient],
) -> None:
    fake, client = exchange
    order = {"clientOid": "c1", "side": "buy", "symbol": "XBTUSDTM", "leverage": 3,
             "type": "limit", "price": Decimal("67000.10"), "size": 1}  # fmt: skip
    reply = await client.place_order(order)
    assert reply == {"orderId": "1", "clientOid": "c1"}
    sent = fake.seen[-1]
    # Compact JSON, insertion order, and the Decimal rendered exactly (never via float).
    assert sent["body"] == (
        b'{"clientOid":"c1","side":"buy","symbol":"XBTUSDTM","leverage":3,'
        b'"type":"limit","price":"67000.10","size":1}'
    )
    assert sent["headers"]["Content-Type"] == "application/json"


async def test_query_is_sent_encoded_and_signed_raw(
    exchange: tuple[FakeExchange, RestClient],
) -> None:
    fake, client = exchange
    params = {"symbol": "XBTUSDTM", "tradeTypes": "adl,liquid"}
    data = await client.request("GET", "/api/v1/fills", params=params, signed=True)
    assert data == {"query": "symbol=XBTUSDTM&tradeTypes=adl,liquid"}  # as the server decodes it
    assert fake.seen[-1]["raw_path"] == "/api/v1/fills?symbol=XBTUSDTM&tradeTypes=adl%2Cliquid"


async def test_bullet_private_has_empty_body(exchange: tuple[FakeExchange, RestClient]) -> None:
    fake, client = exchange
    assert (await client.bullet_private())["token"] == "t"
    assert fake.seen[-1]["body"] == b"" and fake.seen[-1]["method"] == "POST"


async def test_cancels(exchange: tuple[FakeExchange, RestClient]) -> None:
    fake, client = exchange
    assert await client.cancel_all("XBTUSDTM") == {"cancelled": ["XBTUSDTM"]}
    assert fake.seen[-1]["raw_path"] == "/api/v3/orders?symbol=XBTUSDTM"
    assert await client.cancel_order("123") == {"cancelled": ["123"]}


async def test_active_orders_walks_all_pages(exchange: tuple[FakeExchange, RestClient]) -> None:
    fake, client = exchange
    orders = await client.active_orders("XBTUSDTM")
    assert [o["id"] for o in orders] == ["0", "1", "2", "3", "4"]
    paths = [s["raw_path"] for s in fake.seen if s["raw_path"].startswith("/api/v1/orders?")]
    assert paths[0] == "/api/v1/orders?status=active&symbol=XBTUSDTM&currentPage=1&pageSize=1000"
    assert len(paths) == 3


async def test_order_by_client_oid(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    assert await client.order_by_client_oid("abc") == {"clientOid": "abc"}
    assert await client.order_by_client_oid("missing") is None
    assert await client.order_by_client_oid("gone404") is None


async def test_rate_limit_headers_recorded(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    await client.ticker("XBTUSDTM")
    rl = client.last_rate_limit
    assert rl is not None and (rl.limit, rl.remaining, rl.reset_ms) == (2000, 1997, 29000)


async def test_bad_signature_raises_kucoin_error_without_secrets(
    exchange: tuple[FakeExchange, RestClient],
) -> None:
    _, client = exchange
    wrong = RestClient(client.base_url, Credentials(KEY, "wrong-secret", PASSPHRASE))
    try:
        with pytest.raises(KucoinError) as info:
            await wrong.place_order({"clientOid": "x"})
    finally:
        await wrong.close()
    err = info.value
    assert (err.code, err.msg, err.http_status) == ("400005", "Signature error", 401)
    assert str(err) == "KuCoin 400005 (HTTP 401) on POST /api/v1/orders: Signature error"
    for text in (str(err), repr(err), repr(wrong), repr(client)):
        assert "wrong-secret" not in text and SECRET not in text and PASSPHRASE not in text


async def test_business_error_with_http_200(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    with pytest.raises(KucoinError) as info:
        await client.request("GET", "/biz")
    assert (info.value.code, info.value.msg, info.value.http_status) == (
        "300003", "balance not enough", 200)  # fmt: skip


async def test_non_json_replies(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    with pytest.raises(KucoinError) as info:
        await client.request("GET", "/html")
    assert (info.value.code, info.value.http_status) == ("502000", 502)
    assert "Bad gateway" in info.value.msg
    with pytest.raises(KucoinError) as info:
        await client.request("GET", "/garbage200")
    assert (info.value.code, info.value.http_status) == ("500000", 200)
    with pytest.raises(KucoinError) as info:
        await client.request("GET", "/no/such/path")
    assert info.value.http_status == 404


async def test_signed_call_without_credentials(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    anonymous = RestClient(client.base_url)
    try:
        assert await anonymous.server_time() > 0
        with pytest.raises(KucoinError):
            await anonymous.bullet_private()
    finally:
        await anonymous.close()


async def test_transport_errors(exchange: tuple[FakeExchange, RestClient]) -> None:
    _, client = exchange
    slow = RestClient(client.base_url, timeout=0.2)
    try:
        with pytest.raises(TransportError) as info:
            await slow.request("GET", "/slow")
        assert (info.value.code, info.value.http_status) == ("transport", 0)
    finally:
        await slow.close()
    # The limit's TimeoutError is a transport failure; the task that waited goes on.
    assert (info.value.msg, info.value.path) == ("TimeoutError: no reply within 0.2 s", "/slow")
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    assert await client.server_time() > 0
    dead = RestClient("http://127.0.0.1:9", timeout=2)  # discard port: refused
    try:
        with pytest.raises(TransportError):
            await dead.server_time()
    finally:
        await dead.close()


async def test_a_request_cancelled_from_outside_is_cancelled_not_failed(
    exchange: tuple[FakeExchange, RestClient],
) -> None:
    _, client = exchange
    waiting = asyncio.create_task(client.request("GET", "/slow"))
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await client.server_time() > 0
