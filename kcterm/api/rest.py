"""Async REST client for the KuCoin Futures API (REFERENCE sections 2, 3, 4, 7).

Returns the ``data`` payload of the envelope exactly as parsed JSON: no numeric
conversion happens here, so prices stay strings/numbers as the exchange sent them and the
core layer decides how to turn them into Decimals.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from yarl import URL

from kcterm.api.errors import SUCCESS_CODE, KucoinError, TransportError, error_for
from kcterm.api.ratelimit import RateLimitState
from kcterm.api.signer import Credentials, auth_headers, encoded_query, raw_query

ACTIVE_ORDERS_PAGE_SIZE = 1000  # the maximum the endpoint accepts (REFERENCE 7.13)
_MAX_PAGES = 100  # a guard against a server that never reports the last page
_SNIPPET = 200


def _json_default(value: Any) -> Any:
    # A Decimal must never pass through float: render it exactly as written.
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def dumps(body: Any) -> bytes:
    """Compact JSON, keys in insertion order: these exact bytes are both signed and sent."""
    return orjson.dumps(body, default=_json_default)


class RestClient:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None = None,
        *,
        timeout: float = 10.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._owns_session = session is None
        self.clock_offset_ms = 0
        self.last_rate_limit: RateLimitState | None = None

    def __repr__(self) -> str:
        return f"RestClient({self.base_url!r}, credentials={self._credentials!r})"

    @property
    def has_credentials(self) -> bool:
        return self._credentials is not None

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        # Created lazily: aiohttp wants a running event loop (qasync's, in the app).
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._owns_session = True
        return self._session

    def now_ms(self) -> int:
        """Local wall clock corrected by the last sync_clock measurement."""
        return time.time_ns() // 1_000_000 + self.clock_offset_ms

    # -- the one request path ----------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        signed: bool = False,
    ) -> Any:
        """Send one request and return the envelope's ``data``; raise KucoinError otherwise."""
        method = method.upper()
        raw = raw_query(params)
        sent = encoded_query(params)
        payload = dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json", "User-Agent": "kcterm"}
        if signed:
            if self._credentials is None:
                raise KucoinError(
                    "400001", "this call needs API credentials", 0, method=method, path=path
                )
            signed_path = f"{path}?{raw}" if raw else path
            body_text = payload.decode("utf-8") if payload is not None else ""
            headers.update(
                auth_headers(self._credentials, method, signed_path, body_text, self.now_ms())
            )
        # encoded=True: yarl must send our percent-encoding untouched, or the server would
        # decode something other than what we signed.
        url = URL(
            f"{self.base_url}{path}?{sent}" if sent else f"{self.base_url}{path}", encoded=True
        )
        try:
            async with self._http().request(
                method, url, data=payload, headers=headers, timeout=self._timeout
            ) as resp:
                reply = await resp.read()
                status = resp.status
                limit = RateLimitState.from_headers(resp.headers, time.monotonic())
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Only the exception type and text: aiohttp errors never include our headers.
            text = str(exc) or "timed out"
            raise TransportError(f"{type(exc).__name__}: {text}", method=method, path=path) from exc
        if limit is not None:
            self.last_rate_limit = limit
        return _unwrap(reply, status, method, path)

    # -- clock ---------------------------------------------------------------------------

    async def sync_clock(self) -> int:
        """Measure server - local time (ms) around GET /api/v1/timestamp; store and return it."""
        t0 = time.time_ns() / 1e6
        server_ms = await self.server_time()
        t1 = time.time_ns() / 1e6
        self.clock_offset_ms = round(server_ms - (t0 + t1) / 2)
        return self.clock_offset_ms

    # -- typed calls -----------------------------------------------------------------------

    async def server_time(self) -> int:
        return int(await self.request("GET", "/api/v1/timestamp"))

    async def active_contracts(self) -> list[dict]:
        return await self.request("GET", "/api/v1/contracts/active")

    async def ticker(self, symbol: str) -> dict:
        return await self.request("GET", "/api/v1/ticker", params={"symbol": symbol})

    async def level2_snapshot(self, symbol: str) -> dict:
        return await self.request("GET", "/api/v1/level2/snapshot", params={"symbol": symbol})

    async def bullet_public(self) -> dict:
        return await self.request("POST", "/api/v1/bullet-public")

    async def bullet_private(self) -> dict:
        # No body at all: the prehash ends with the path (REFERENCE 5.3 vector 7).
        return await self.request("POST", "/api/v1/bullet-private", signed=True)

    async def place_order(self, order: Mapping[str, Any]) -> dict:
        return await self.request("POST", "/api/v1/orders", body=dict(order), signed=True)

    async def cancel_order(self, order_id: str) -> dict:
        path = f"/api/v1/orders/{quote(str(order_id), safe='')}"
        return await self.request("DELETE", path, signed=True)

    async def cancel_all(self, symbol: str) -> dict:
        # v3: the v1 cancel-all is abandoned (REFERENCE 7.12); symbol is mandatory.
        return await self.request(
            "DELETE", "/api/v3/orders", params={"symbol": symbol}, signed=True
        )

    async def active_orders(self, symbol: str | None = None) -> list[dict]:
        """Every open order (all pages), optionally for one symbol."""
        orders: list[dict] = []
        for page in range(1, _MAX_PAGES + 1):
            params: dict[str, Any] = {"status": "active"}
            if symbol is not None:
                params["symbol"] = symbol
            params["currentPage"] = page
            params["pageSize"] = ACTIVE_ORDERS_PAGE_SIZE
            data = await self.request("GET", "/api/v1/orders", params=params, signed=True)
            items = (data or {}).get("items") or []
            orders.extend(items)
            total_pages = (data or {}).get("totalPage")
            if isinstance(total_pages, int):
                if page >= total_pages:
                    break
            elif len(items) < ACTIVE_ORDERS_PAGE_SIZE:
                break
        return orders

    async def all_tickers(self) -> list[dict]:
        return await self.request("GET", "/api/v1/allTickers")

    async def trade_history(self, symbol: str) -> list[dict]:
        """The last 100 public trades (REFERENCE 7.5)."""
        return await self.request("GET", "/api/v1/trade/history", params={"symbol": symbol})

    async def klines(self, symbol: str, granularity: int, start_ms: int, end_ms: int) -> list:
        """Rows `[startMs, open, high, low, close, volume]`; granularity in minutes (7.6)."""
        params = {"symbol": symbol, "granularity": granularity, "from": start_ms, "to": end_ms}
        return await self.request("GET", "/api/v1/kline/query", params=params)

    async def mark_price(self, symbol: str) -> dict:
        path = f"/api/v1/mark-price/{quote(symbol, safe='')}/current"
        return await self.request("GET", path)

    async def funding_rate(self, symbol: str) -> dict:
        path = f"/api/v1/funding-rate/{quote(symbol, safe='')}/current"
        return await self.request("GET", path)

    async def order(self, order_id: str) -> dict:
        """One order by id, open or done (REFERENCE 7.13)."""
        path = f"/api/v1/orders/{quote(str(order_id), safe='')}"
        return await self.request("GET", path, signed=True)

    async def recent_done_orders(self, symbol: str | None = None) -> list[dict]:
        """Orders closed in the last 24 h, up to 1000 (REFERENCE 7.13)."""
        params = {"symbol": symbol} if symbol else None
        return await self.request("GET", "/api/v1/recentDoneOrders", params=params, signed=True)

    async def order_by_client_oid(self, client_oid: str) -> dict | None:
        """The order with this clientOid, or None when the exchange does not know it.

        Not-found is accepted in both shapes servers use: ``data: null`` with 200000, or
        an HTTP 404 error envelope.
        """
        try:
            data = await self.request(
                "GET",
                "/api/v1/orders/byClientOid",
                params={"clientOid": client_oid},
                signed=True,
            )
        except KucoinError as exc:
            if exc.http_status == 404:
                return None
            raise
        return data or None


def _unwrap(reply: bytes, status: int, method: str, path: str) -> Any:
    """Check HTTP status and envelope code; return ``data``."""
    try:
        envelope = orjson.loads(reply) if reply else None
    except orjson.JSONDecodeError:
        envelope = None
    if not isinstance(envelope, dict):
        # Proxies and gateways answer with HTML; keep the HTTP status in the KuCoin style
        # (404 -> 404000, 502 -> 502000) so callers can still tell what happened.
        code = f"{status}000" if status >= 400 else "500000"
        snippet = reply[:_SNIPPET].decode("utf-8", "replace").strip()
        raise error_for(code, f"unreadable reply: {snippet!r}", status, method=method, path=path)
    code = envelope.get("code")
    code = str(code) if code is not None else ""
    if 200 <= status < 300 and code == SUCCESS_CODE:
        return envelope.get("data")
    msg = str(envelope.get("msg") or "")
    if not code:
        code = f"{status}000" if status >= 400 else "500000"
        msg = msg or "reply has no code"
    raise error_for(code, msg or f"HTTP {status}", status, method=method, path=path)
