"""Fuzzed in CI (issue 12): a few thousand malformed requests and WebSocket frames against the
practice exchange over loopback. Whatever arrives: never a 5xx, always KuCoin's
{"code", "msg"} when refused, never a success for an order that is invalid by construction,
and the server still answers afterwards.

Bounded and repeatable: derandomize=True (the same examples on every run), max_examples per
property sized so the module runs in about 30-60 s on a CI machine, a deadline per example
that would catch a request the server sits on.

The exchange runs on its own event loop in a thread for the module (hypothesis drives it from
plain test functions). The signing is written here from spec/REFERENCE.md section 4.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Coroutine, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import aiohttp
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcterm.sim import SimConfig, SimExchange

T = TypeVar("T")
SYMBOL = "XBTUSDTM"
PATH = "/api/v1/orders?status=active"
KC_HEADERS = (
    "KC-API-KEY",
    "KC-API-SIGN",
    "KC-API-TIMESTAMP",
    "KC-API-PASSPHRASE",
    "KC-API-KEY-VERSION",
)
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _json(value: Any) -> bytes:
    """JSON as a client would send it; the stdlib also writes integers beyond 64 bits."""
    return json.dumps(value, separators=(",", ":")).encode()


def _b64(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


class Venue:
    """The exchange and one HTTP session, on an event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        config = SimConfig(
            port=0,
            market=False,
            seed=9,
            public_quota=10**9,
            futures_quota=10**9,
            ws_inbound_limit=10**9,
        )
        self.sim = SimExchange(config)
        self.run(self.sim.start())
        self.http: aiohttp.ClientSession = self.run(self._session())
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.pings = 0
        self.requests = 0  # malformed things sent: HTTP requests, batch items, frames
        bid = Decimal(str(self.sim.book(SYMBOL)["bids"][0][0]))
        self.price = bid - 20  # a limit buy here is valid: in the band, on tick, resting

    @staticmethod
    async def _session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 20) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        async def shut() -> None:
            if self.ws is not None:
                await self.ws.close()
            await self.http.close()
            await self.sim.stop()

        self.run(shut())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    # -- REST ------------------------------------------------------------------------------

    def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        cfg = self.sim.config
        now = str(int(time.time() * 1000))
        return {
            "KC-API-KEY": cfg.key,
            "KC-API-SIGN": _b64(cfg.secret, f"{now}{method}{path}".encode() + body),
            "KC-API-TIMESTAMP": now,
            "KC-API-PASSPHRASE": _b64(cfg.secret, cfg.passphrase.encode()),
            "KC-API-KEY-VERSION": cfg.key_version,
            "Content-Type": "application/json",
        }

    def send(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        hdrs = self.headers(method, path, body) if headers is None else headers
        self.requests += 1

        async def go() -> tuple[int, bytes]:
            async with self.http.request(
                method, self.sim.base_url + path, data=body or None, headers=hdrs
            ) as reply:
                return reply.status, await reply.read()

        raw_needed = any(ord(c) < 32 or ord(c) == 127 for v in hdrs.values() for c in v)
        # aiohttp's client will not send control characters; a raw socket will.
        status, raw = self.run(self._raw(method, path, body, hdrs) if raw_needed else go())
        envelope = orjson.loads(raw)
        assert status < 500, (status, raw[:300])
        assert isinstance(envelope, dict) and isinstance(envelope.get("code"), str), raw[:300]
        if envelope["code"] == "200000":
            assert status == 200 and "data" in envelope
        else:
            assert set(envelope) == {"code", "msg"} and isinstance(envelope["msg"], str), raw
            assert envelope["code"] != "500000", raw[:300]
        return status, envelope

    async def _raw(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        host, port = self.sim.base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        writer.write("\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body)
        await writer.drain()
        reply = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        head, _, payload = reply.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), payload

    def alive(self) -> None:
        status, envelope = self.send("GET", "/api/v1/timestamp", headers={})
        assert (status, envelope["code"]) == (200, "200000")

    # -- WebSocket -------------------------------------------------------------------------

    def frames(self, sent: list[str | bytes]) -> list[dict[str, Any]]:
        """Send the frames, then a ping of our own; return every frame received up to its
        pong (reconnecting first when the last batch made the server close)."""
        return self.run(self._frames(sent))

    async def _connect(self) -> aiohttp.ClientWebSocketResponse:
        cfg = self.sim.config
        now = str(int(time.time() * 1000))
        path = "/api/v1/bullet-private"
        headers = {
            "KC-API-KEY": cfg.key,
            "KC-API-SIGN": _b64(cfg.secret, f"{now}POST{path}".encode()),
            "KC-API-TIMESTAMP": now,
            "KC-API-PASSPHRASE": _b64(cfg.secret, cfg.passphrase.encode()),
            "KC-API-KEY-VERSION": cfg.key_version,
        }
        async with self.http.post(self.sim.base_url + path, headers=headers) as reply:
            token = orjson.loads(await reply.read())["data"]["token"]
        ws = await self.http.ws_connect(
            f"{self.sim.ws_url}?token={token}&connectId=fuzz", max_msg_size=0
        )
        welcome = await ws.receive_json(timeout=5)
        assert welcome["type"] == "welcome"
        return ws

    async def _frames(self, sent: list[str | bytes]) -> list[dict[str, Any]]:
        if self.ws is None or self.ws.closed:
            self.ws = await self._connect()
        ws = self.ws
        # A frame over 64 KB ends the connection: send at most one, last, and expect the close.
        big = [f for f in sent if len(f) > 64 * 1024][:1]
        for frame in [f for f in sent if len(f) <= 64 * 1024] + big:
            if isinstance(frame, bytes):
                await ws.send_bytes(frame)
            else:
                await ws.send_str(frame)
        self.pings += 1
        mine = f"fuzz-ping-{self.pings}"
        got: list[dict[str, Any]] = []
        closed = False
        if not big:
            await ws.send_str(orjson.dumps({"id": mine, "type": "ping"}).decode())
        while True:
            msg = await ws.receive(timeout=5)
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                closed = True
                break
            assert msg.type == aiohttp.WSMsgType.TEXT, msg
            frame = orjson.loads(msg.data)
            got.append(frame)
            if frame.get("type") == "pong" and frame.get("id") == mine:
                break
        if closed:  # only ever for a reason the last error frame gave (a big frame)
            assert got and got[-1]["type"] == "error" and ws.close_code == 1009, got
            self.ws = await self._connect()
            await self.ws.send_str(orjson.dumps({"id": mine, "type": "ping"}).decode())
            assert (await self.ws.receive_json(timeout=5))["id"] == mine
        return got


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    live = Venue()
    yield live
    live.close()


# -- invalid orders, each invalid by construction ------------------------------------------

letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzXYZ ", max_size=12)  # never a number
words = letters.filter(bool)  # "" would mean "the default" for an optional field
odd_types = st.booleans() | st.lists(st.integers(), max_size=3) | st.dictionaries(letters, letters)
bad_prices = st.one_of(
    st.decimals(max_value=0, allow_nan=False, allow_infinity=False, places=2).map(str),
    st.integers(min_value=1, max_value=9).map(lambda k: f"PRICE+{k}"),  # off the 0.1 tick
    st.integers(min_value=7, max_value=40).map(lambda n: f"1e{n}"),  # above maxPrice
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e-999999999", "1e999999999", "0x10"]),
    letters,
    odd_types,
)
bad_sizes = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=1_000_001, max_value=10**40),
    st.integers(min_value=1, max_value=50).map(lambda k: k + 0.5),
    st.sampled_from(["1e999999999", "NaN", "1.5", "-1", "1e27"]),
    letters,
    odd_types,
)
mutations = st.one_of(
    st.tuples(st.just("price"), bad_prices),
    st.tuples(st.just("size"), bad_sizes),
    st.tuples(
        st.just("symbol"), st.sampled_from(["NOPEUSDTM", "xbtusdtm", " XBTUSDTM"]) | odd_types
    ),
    st.tuples(st.just("side"), letters.filter(lambda s: s not in ("buy", "sell")) | odd_types),
    st.tuples(st.just("type"), words.filter(lambda s: s not in ("limit", "market"))),
    st.tuples(
        st.just("leverage"),
        st.integers(max_value=0) | st.integers(min_value=126) | st.just("2.5") | words,
    ),
    st.tuples(
        st.just("clientOid"),
        st.just("") | st.text(min_size=41, max_size=60) | st.just("bad oid!") | odd_types,
    ),
    st.tuples(st.just("timeInForce"), words.filter(lambda s: s not in ("GTC", "IOC"))),
    st.tuples(st.just("marginMode"), words.filter(lambda s: s not in ("ISOLATED", "CROSS"))),
    st.tuples(st.just("stop"), letters.filter(lambda s: s not in ("up", "down", ""))),
    st.tuples(st.just("visibleSize"), st.integers(min_value=1, max_value=3)),  # >= size
    st.tuples(st.just("postOnly+IOC"), st.just(True)),
    st.tuples(st.just("stopPrice"), bad_prices),
)


def invalid_order(venue: Venue, oid: str, mutation: tuple[str, Any]) -> dict[str, Any]:
    name, value = mutation
    body: dict[str, Any] = {
        "clientOid": oid,
        "symbol": SYMBOL,
        "side": "buy",
        "type": "limit",
        "price": str(venue.price),
        "size": 1,
        "leverage": 10,
    }
    if isinstance(value, str) and value.startswith("PRICE+"):
        value = str(venue.price + Decimal(value[6:]) / 100)
    if name == "visibleSize":
        body.update(iceberg=True, size=1, visibleSize=value)
    elif name == "postOnly+IOC":
        body.update(postOnly=True, timeInForce="IOC")
    elif name == "stopPrice":
        body.update(stop="down", stopPriceType="TP", stopPrice=value)
    elif name == "stop":
        body.update(stop=value, stopPriceType="TP", stopPrice=str(venue.price))
    else:
        body[name] = value
    return body


@settings(FUZZ, max_examples=1400)
@given(mutation=mutations, endpoint=st.sampled_from(["/api/v1/orders", "/api/v1/orders/test"]))
def test_an_invalid_order_never_succeeds(
    venue: Venue, mutation: tuple[str, Any], endpoint: str
) -> None:
    venue.pings += 1
    body = _json(invalid_order(venue, f"fz-{venue.pings}", mutation))
    _, envelope = venue.send("POST", endpoint, body)
    assert envelope["code"] != "200000", (mutation, envelope)


@settings(FUZZ, max_examples=200)
@given(batch=st.lists(mutations, min_size=1, max_size=20))
def test_an_invalid_item_of_a_batch_never_succeeds(
    venue: Venue, batch: list[tuple[str, Any]]
) -> None:
    venue.pings += 1
    items = [invalid_order(venue, f"fzb-{venue.pings}-{i}", m) for i, m in enumerate(batch)]
    venue.requests += len(items) - 1
    _, envelope = venue.send("POST", "/api/v1/orders/multi", _json(items))
    assert envelope["code"] == "200000"
    assert len(envelope["data"]) == len(items)
    for item, mutation in zip(envelope["data"], batch, strict=True):
        assert item["code"] not in ("200000", "500000"), (mutation, item)


# -- headers and signatures ------------------------------------------------------------------

header_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00"),
    max_size=60,
)


def _recased(name: str, seed: int) -> str:
    return "".join(c.upper() if (seed >> (i % 16)) & 1 else c.lower() for i, c in enumerate(name))


@settings(FUZZ, max_examples=1800)
@given(
    how=st.sampled_from(["drop", "replace", "case", "non-ascii", "stale", "future"]),
    which=st.sampled_from(KC_HEADERS),
    value=header_text,
    case_seed=st.integers(min_value=0, max_value=2**16),
    method=st.sampled_from(["GET", "POST"]),
)
def test_any_header_or_signature_gets_a_kucoin_answer(
    venue: Venue, how: str, which: str, value: str, case_seed: int, method: str
) -> None:
    path = PATH if method == "GET" else "/api/v1/orders/test"
    body = b"" if method == "GET" else _json(invalid_order(venue, "hdr", ("size", 0)))
    headers = venue.headers(method, path, body)
    valid = False
    if how == "drop":
        del headers[which]
        valid = which == "KC-API-KEY-VERSION"  # optional: the key's own version
    elif how == "replace":
        headers[which] = value
        # An empty version means "the key's own", and 2 and 3 both work with this key
        # (HTTP drops the spaces and tabs around a header value).
        valid = which == "KC-API-KEY-VERSION" and value.strip(" \t") in ("", "2", "3")
    elif how == "case":
        headers = {
            "".join(
                c.upper() if (case_seed >> (i % 16)) & 1 else c.lower() for i, c in enumerate(k)
            ): v
            for k, v in headers.items()
        }
        valid = True
    elif how == "non-ascii":
        headers[which] = headers[which][:-1] + "\u00e9\u4e2d" + value
    else:
        shift = -6000 if how == "stale" else 6000
        headers["KC-API-TIMESTAMP"] = str(int(headers["KC-API-TIMESTAMP"]) + shift)
        headers["KC-API-SIGN"] = _b64(
            venue.sim.config.secret,
            f"{headers['KC-API-TIMESTAMP']}{method}{path}".encode() + body,
        )
    status, envelope = venue.send(method, path, body, headers=headers)
    if valid and method == "GET":
        assert envelope["code"] == "200000", (how, which, value, envelope)
    elif not valid:
        assert 400 <= status < 500 and envelope["code"] != "200000", (how, which, envelope)
    if method == "POST":
        assert envelope["code"] != "200000"  # a size of 0 is never an order, signed or not


# -- WebSocket frames ------------------------------------------------------------------------

topics = st.one_of(
    st.sampled_from(
        [
            "/contractMarket/ticker:XBTUSDTM",
            "/contractMarket/level2:NOPEUSDTM",
            "/contractMarket/tickerV2:",
            "/contractMarket/execution:XBTUSDTM,ETHUSDTM,,",
            "/contract/position:XBTUSDTM",
            "/contractAccount/wallet",
            "/nothing/here",
            "",
        ]
    ),
    header_text,
    odd_types,
)
frame_objects = st.fixed_dictionaries(
    {"type": st.sampled_from(["subscribe", "unsubscribe", "ping", "pong", "welcome"]) | letters},
    optional={
        "id": st.integers(min_value=-(2**70), max_value=2**70) | header_text | odd_types,
        "topic": topics,
        "privateChannel": st.booleans() | letters,
        "response": st.booleans() | letters,
    },
)
frames = st.one_of(
    frame_objects.map(lambda f: _json(f).decode()),
    header_text,
    st.binary(max_size=40),
    st.just('{"type": "ping", "pad": "' + "z" * 70_000 + '"}'),  # over 64 KB
    st.just("[1, 2, 3]"),
    st.just('{"type": "subscribe", "topic": ' + '"/contractMarket/ticker:XBTUSDTM",' * 3 + "}"),
)


@settings(FUZZ, max_examples=1000)
@given(sent=st.lists(frames, min_size=1, max_size=4))
def test_any_websocket_frame_gets_a_kucoin_frame_and_the_socket_lives(
    venue: Venue, sent: list[str | bytes]
) -> None:
    venue.requests += len(sent)
    got = venue.frames(sent)
    for frame in got:
        assert isinstance(frame, dict) and frame.get("type") in (
            "pong",
            "ack",
            "error",
            "message",
        ), frame
        if frame["type"] == "error":
            assert isinstance(frame.get("code"), int) and isinstance(frame.get("data"), str)


def test_after_the_barrage_the_server_still_trades(venue: Venue) -> None:
    assert venue.requests > 5000  # the properties above really ran: a few thousand inputs
    venue.alive()
    good = {
        "clientOid": "after-fuzz",
        "symbol": SYMBOL,
        "side": "buy",
        "type": "limit",
        "price": str(venue.price),
        "size": 1,
        "leverage": 10,
    }
    _, envelope = venue.send("POST", "/api/v1/orders", _json(good))
    assert envelope["code"] == "200000" and envelope["data"]["orderId"]
    _, listed = venue.send("GET", PATH)
    # Nothing any invalid order did is on the book: the one valid order is all there is.
    assert [o["clientOid"] for o in listed["data"]["items"]] == ["after-fuzz"]
