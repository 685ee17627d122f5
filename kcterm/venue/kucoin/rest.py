"""Async REST client for the KuCoin Futures API (spec/REFERENCE.md sections 2, 3, 4, 7).

Returns the ``data`` payload of the envelope exactly as parsed JSON: no numeric
conversion happens here, so prices stay strings/numbers as the exchange sent them and the
core layer decides how to turn them into Decimals.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from kcterm.venue.backoff import Backoff
from kcterm.venue.deadlines import SharedDeadlines
from kcterm.venue.kucoin.calls_account import AccountCalls
from kcterm.venue.kucoin.calls_trading import TradingCalls
from kcterm.venue.kucoin.errors import (
    SUCCESS_CODE,
    ExchangeUnavailableError,
    KucoinError,
    RateLimitError,
    TimestampError,
    TransportError,
    error_for,
)
from kcterm.venue.kucoin.pools import cost_of
from kcterm.venue.kucoin.ratelimit import RateLimitState
from kcterm.venue.kucoin.replies import JsonArray, JsonObject, as_array, as_object, as_objects
from kcterm.venue.kucoin.retry import RestStats, RetryPolicy, default_priority, is_safe
from kcterm.venue.kucoin.signer import Credentials, auth_headers, queries
from kcterm.venue.kucoin.throttle import PoolBudget, Throttler
from kcterm.venue.priority import Priority

_SNIPPET = 200
# Header names as multidict's case-insensitive keys (see signer.Credentials.fixed_headers).
_CONTENT_TYPE = istr("Content-Type")
_USER_AGENT = istr("User-Agent")
# The session's own headers, sent with every request (of the session this client opens; one
# handed in sends its own): aiohttp starts from them, where a header of each request is
# copied once more (issue 14: with the kept URLs, ~10k instructions a request, callgrind).
_SESSION_HEADERS = CIMultiDict({_USER_AGENT: "kcterm"})
# The headers of an unsigned request: always the same, read-only (aiohttp only copies them).
_PUBLIC_HEADERS = CIMultiDictProxy(CIMultiDict({_CONTENT_TYPE: "application/json"}))
# aiohttp's own time limit is off: SharedDeadlines keeps it for less (see there).
_NO_TIMEOUT = aiohttp.ClientTimeout()
_URLS_KEPT = 256  # (path, query) -> URL: the desk's usual requests, not every order id ever

log = logging.getLogger("kcterm.venue.kucoin.rest")


def _json_default(value: Any) -> Any:
    # A Decimal must never pass through float: render it exactly as written.
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def dumps(body: Any) -> bytes:
    """Compact JSON, keys in insertion order: these exact bytes are both signed and sent."""
    return orjson.dumps(body, default=_json_default)


class RestClient(TradingCalls, AccountCalls):
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
        self._deadlines = SharedDeadlines(timeout)  # each request's, from start to body read
        self._session = session
        self._owns_session = session is None
        self._closed = False  # close() is final: no request opens a new HTTP session after it
        self.clock_offset_ms = 0
        self.clock_rtt_ms: float | None = None  # round trip of the last clock measurement
        self.clock_synced_monotonic = 0.0  # when it was taken (0: never)
        self._clock_epoch = 0
        self._clock_lock = asyncio.Lock()
        self.last_rate_limit: RateLimitState | None = None
        self.rate_limits: dict[str, RateLimitState] = {}  # pool -> its last headers
        self.throttler: Throttler | None = None
        self.retry_policy: RetryPolicy | None = None
        self.stats = RestStats()
        # (path, query) -> (the path signed, the URL sent): yarl parses a URL string anew
        # each time, and a desk sends the same few requests over and over.
        self._urls: dict[tuple[str, tuple[str, str]], tuple[str, URL]] = {}

    def __repr__(self) -> str:
        return f"RestClient({self.base_url!r}, credentials={self._credentials!r})"

    @property
    def has_credentials(self) -> bool:
        return self._credentials is not None

    async def close(self) -> None:
        self._closed = True
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._closed:
            # A request still in flight when the session stopped (a chart's history, say) must
            # not open an HTTP session nobody closes: it fails as a request with no reply.
            raise TransportError("the REST client is closed")
        # Created lazily: aiohttp wants a running event loop (qasync's, in the app).
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=_NO_TIMEOUT, headers=_SESSION_HEADERS)
            self._owns_session = True
        return self._session

    def now_ms(self) -> int:
        """Local wall clock corrected by the last sync_clock measurement."""
        return time.time_ns() // 1_000_000 + self.clock_offset_ms

    # -- resilience ------------------------------------------------------------------------

    def enable_resilience(
        self, throttler: Throttler | None = None, policy: RetryPolicy | None = None
    ) -> None:
        """Throttle by pool and retry what is safe (retry.py). Off by default, so a bare client
        shows the wire as it is (the sim's own tests want to see every 429 and 503)."""
        self.throttler = throttler or self.throttler or Throttler()
        self.retry_policy = policy or self.retry_policy or RetryPolicy()

    def pool_budgets(self) -> dict[str, PoolBudget]:
        """Remaining budget per pool, for the status bar (empty without a throttler)."""
        return self.throttler.budgets() if self.throttler is not None else {}

    # -- the one request path ----------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        signed: bool = False,
        priority: Priority | None = None,
        idempotent: bool = False,
        on_wait: Callable[[float | None], None] | None = None,
    ) -> Any:
        """Send a request and return the envelope's ``data``; raise KucoinError otherwise.

        With resilience on, the request waits for its pool's budget (by ``priority``), a 429
        waits for the reset, a 400002 resyncs the clock, and an ambiguous failure (5xx,
        transport) is retried with backoff when the request is safe to repeat (GET, DELETE,
        or ``idempotent``). ``on_wait`` hears the expected end (monotonic) of each wait for
        budget, then None once the request goes, so the order panel can count down."""
        method = method.upper()
        policy = self.retry_policy
        if policy is None:
            return await self._send(
                method, path, params, body, signed, _route(method, path, signed)
            )
        route = _route(method, path, signed)
        pool, weight, usual, _ = route
        if priority is None:
            priority = usual
        backoff: Backoff | None = None  # made by the first ambiguous failure
        ambiguous_left = policy.max_attempts - 1
        limit_waits = policy.max_rate_limit_waits
        resynced = False
        while True:
            throttler = self.throttler
            if throttler is not None and not throttler.try_take(pool, weight, priority):
                await throttler.acquire(pool, weight, priority, on_wait)
            if on_wait is not None:
                on_wait(None)
            epoch = self._clock_epoch
            try:
                try:
                    return await self._send(method, path, params, body, signed, route)
                finally:
                    if throttler is not None:
                        throttler.settled(pool)
            except RateLimitError as exc:
                self.stats.http_429 += 1
                if self.throttler is not None:
                    self.throttler.refused(pool, self.rate_limits.get(pool))
                # Refused whole by the gateway: nothing was done. Orders come back through
                # the gateway, which retries them itself; reads and cancels go again here.
                if (
                    not is_safe(method, idempotent)
                    or limit_waits <= 0
                    or exc.http_status != 429
                    or self._closed
                ):
                    raise
                limit_waits -= 1
                if self.throttler is None:
                    wait = self._reset_wait(pool)
                    if on_wait is not None:
                        on_wait(time.monotonic() + wait)
                    await asyncio.sleep(wait)
            except TimestampError:
                # Refused at the door, so safe for every method; resync once and go again.
                if resynced or not signed:
                    raise
                resynced = True
                await self._resync_after(epoch)
            except ExchangeUnavailableError as exc:
                if isinstance(exc, TransportError):
                    self.stats.transport_errors += 1
                else:
                    self.stats.http_5xx += 1
                # Closed under the request (the window went): no one wants the answer, and a
                # backoff sleep would wake in a loop that no longer runs.
                if not is_safe(method, idempotent) or ambiguous_left <= 0 or self._closed:
                    raise
                ambiguous_left -= 1
                backoff = backoff or policy.backoff()
                await asyncio.sleep(backoff.next_delay())
            self.stats.retries += 1

    def _reset_wait(self, pool: str) -> float:
        limit = self.rate_limits.get(pool)
        return limit.reset_ms / 1000.0 if limit is not None else 1.0

    async def _resync_after(self, epoch: int) -> None:
        """Resync the clock unless another request already did since ``epoch``."""
        async with self._clock_lock:
            if self._clock_epoch == epoch:
                await self.sync_clock()
                self.stats.clock_resyncs += 1

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        signed: bool,
        route: _Route,
    ) -> Any:
        """One request on the wire, nothing retried; ``route`` is _route's for it."""
        query = queries(params)
        target = self._urls.get((path, query))
        if target is None:
            target = self._target(path, query)
        signed_path, url = target
        payload = dumps(body) if body is not None else None
        headers: CIMultiDict[str] | CIMultiDictProxy[str]
        if signed:
            if self._credentials is None:
                raise KucoinError(
                    "400001", "this call needs API credentials", 0, method=method, path=path
                )
            body_text = payload.decode("utf-8") if payload is not None else ""
            now_ms = time.time_ns() // 1_000_000 + self.clock_offset_ms  # self.now_ms(), inline
            headers = auth_headers(self._credentials, method, signed_path, body_text, now_ms)
        else:
            headers = _PUBLIC_HEADERS
        stats = self.stats
        stats.requests += 1
        stats.by_path[route[3]] += 1
        session = self._session
        if session is None or session.closed:
            session = self._http()
        deadlines = self._deadlines
        entered = deadlines.enter()
        try:
            async with session.request(method, url, data=payload, headers=headers) as resp:
                reply = await resp.read()
                status = resp.status
                limit = RateLimitState.from_headers(resp.headers, time.monotonic())
        except asyncio.CancelledError:
            if not deadlines.expired(entered[0]):
                raise  # cancelled from outside: not ours to turn into a failure
            text = f"TimeoutError: no reply within {deadlines.seconds:g} s"  # as aiohttp's would
            raise TransportError(text, method=method, path=path) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Only the exception type and text: aiohttp errors never include our headers.
            text = str(exc) or "timed out"
            raise TransportError(f"{type(exc).__name__}: {text}", method=method, path=path) from exc
        finally:
            deadlines.leave(entered)
        if limit is not None:
            self.last_rate_limit = limit
            pool = route[0]
            self.rate_limits[pool] = limit
            if self.throttler is not None:
                self.throttler.observe(pool, limit)
        return _unwrap(reply, status, method, path)

    def _target(self, path: str, query: tuple[str, str]) -> tuple[str, URL]:
        """The path as signed (raw query) and the URL as sent (encoded query), kept."""
        raw, sent = query
        # encoded=True: yarl must send our percent-encoding untouched, or the server would
        # decode something other than what we signed.
        url = URL(
            f"{self.base_url}{path}?{sent}" if sent else f"{self.base_url}{path}", encoded=True
        )
        if len(self._urls) >= _URLS_KEPT:
            self._urls.clear()
        target = self._urls[path, query] = (f"{path}?{raw}" if raw else path, url)
        return target

    # -- clock ---------------------------------------------------------------------------

    async def sync_clock(self) -> int:
        """Measure server - local time (ms) around GET /api/v1/timestamp, corrected by half
        the round trip; store and return it."""
        t0 = time.time_ns() / 1e6
        server_ms = await self.server_time()
        t1 = time.time_ns() / 1e6
        self.clock_offset_ms = round(server_ms - (t0 + t1) / 2)
        self.clock_rtt_ms = t1 - t0
        self.clock_synced_monotonic = time.monotonic()
        self._clock_epoch += 1
        return self.clock_offset_ms

    async def keep_clock_synced(self, every_s: float) -> None:
        """Measure the clock again every ``every_s`` seconds, until cancelled (a 400002 also
        resyncs at once, in request())."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.sync_clock()
            except KucoinError as exc:
                log.info("clock resync failed: %s", exc)

    # -- typed calls -----------------------------------------------------------------------

    async def server_time(self) -> int:
        return int(await self.request("GET", "/api/v1/timestamp"))

    async def active_contracts(self) -> list[JsonObject]:
        path = "/api/v1/contracts/active"
        return as_objects(await self.request("GET", path), "GET", path)

    async def ticker(self, symbol: str) -> JsonObject:
        path = "/api/v1/ticker"
        return as_object(await self.request("GET", path, params={"symbol": symbol}), "GET", path)

    async def level2_snapshot(self, symbol: str) -> JsonObject:
        path = "/api/v1/level2/snapshot"
        return as_object(await self.request("GET", path, params={"symbol": symbol}), "GET", path)

    async def bullet_public(self) -> JsonObject:
        # A token request changes nothing on the exchange: safe to repeat.
        path = "/api/v1/bullet-public"
        return as_object(await self.request("POST", path, idempotent=True), "POST", path)

    async def bullet_private(self) -> JsonObject:
        # No body at all: the prehash ends with the path (spec/REFERENCE.md 5.3 vector 7).
        path = "/api/v1/bullet-private"
        data = await self.request("POST", path, signed=True, idempotent=True)
        return as_object(data, "POST", path)

    async def all_tickers(self) -> list[JsonObject]:
        path = "/api/v1/allTickers"
        return as_objects(await self.request("GET", path), "GET", path)

    async def trade_history(self, symbol: str) -> list[JsonObject]:
        """The last 100 public trades (spec/REFERENCE.md 7.5)."""
        path = "/api/v1/trade/history"
        data = await self.request("GET", path, params={"symbol": symbol})
        return as_objects(data, "GET", path)

    async def klines(
        self, symbol: str, granularity: int, start_ms: int, end_ms: int
    ) -> list[JsonArray]:
        """Rows `[startMs, open, high, low, close, volume]`; granularity in minutes (7.6)."""
        path = "/api/v1/kline/query"
        params = {"symbol": symbol, "granularity": granularity, "from": start_ms, "to": end_ms}
        rows = as_array(await self.request("GET", path, params=params), "GET", path)
        return [as_array(row, "GET", path) for row in rows]

    async def mark_price(self, symbol: str) -> JsonObject:
        path = f"/api/v1/mark-price/{quote(symbol, safe='')}/current"
        return as_object(await self.request("GET", path), "GET", path)

    async def funding_rate(self, symbol: str) -> JsonObject:
        path = f"/api/v1/funding-rate/{quote(symbol, safe='')}/current"
        return as_object(await self.request("GET", path), "GET", path)


_Route = tuple[str, int, Priority, str]


@lru_cache(maxsize=512)
def _route(method: str, path: str, signed: bool) -> _Route:
    """(pool, weight, usual priority, "METHOD path" as RestStats.by_path counts it) of a
    request: what every request asks, in one cached call (positional arguments: the cache's
    quick key)."""
    pool, weight = cost_of(method, path, signed)
    return pool, weight, default_priority(method, path), f"{method} {path}"


def _unwrap(reply: bytes, status: int, method: str, path: str) -> Any:
    """Check HTTP status and envelope code; return ``data``."""
    try:
        envelope = orjson.loads(reply)
    except orjson.JSONDecodeError:  # b"" as well
        envelope = None
    # The usual reply first, in one test: _unwrap_other reads every other one.
    if type(envelope) is dict and envelope.get("code") == SUCCESS_CODE and 200 <= status < 300:
        return envelope.get("data")
    return _unwrap_other(envelope, reply, status, method, path)


def _unwrap_other(envelope: Any, reply: bytes, status: int, method: str, path: str) -> Any:
    """_unwrap of a reply that is not the usual success: raise its error (or return the data
    of a success told oddly, a numeric code say)."""
    if not isinstance(envelope, dict):
        # Proxies and gateways answer with HTML; keep the HTTP status in the KuCoin style
        # (404 -> 404000, 502 -> 502000) so callers can still tell what happened.
        code = f"{status}000" if status >= 400 else "500000"
        snippet = reply[:_SNIPPET].decode("utf-8", "replace").strip()
        raise error_for(code, f"unreadable reply: {snippet!r}", status, method=method, path=path)
    raw_code = envelope.get("code")
    code = str(raw_code) if raw_code is not None else ""
    if 200 <= status < 300 and code == SUCCESS_CODE:
        return envelope.get("data")
    msg = str(envelope.get("msg") or "")
    if not code:
        code = f"{status}000" if status >= 400 else "500000"
        msg = msg or "reply has no code"
    raise error_for(code, msg or f"HTTP {status}", status, method=method, path=path)
