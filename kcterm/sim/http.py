"""The REST plumbing: KuCoin's envelope, its error replies, authentication, rate-limit pools
and body parsing.

Every handler is wrapped by ``Endpoints.wrap``: it gets a ``Call`` (query, JSON body, the
caller's key when the route is private) and returns the ``data`` payload or raises SimError.
Each request is charged to its pool before the handler runs, and every reply (errors and
429000 included) carries the gw-ratelimit-* headers. Anything unexpected is logged and
answered with 500000; nothing reaches the client as a stack trace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestHandler as ConnectionHandler
from aiohttp.web_request import BaseRequest

from kcterm.sim.auth import FUTURES, GENERAL, ApiKey, KeyStore
from kcterm.sim.clock import Clock
from kcterm.sim.errors import SimError, bad_param
from kcterm.sim.faults import Counters
from kcterm.sim.ratelimit import PUBLIC, RateLimiter, Verdict, route_cost

log = logging.getLogger("kcterm.sim.http")

MAX_BODY = 256 * 1024
TOO_LARGE = f"request body is larger than {MAX_BODY} bytes"


@dataclass
class Call:
    request: web.Request
    query: dict[str, str]
    body: Any
    key: ApiKey | None

    @property
    def user_id(self) -> str:
        assert self.key is not None, "only private routes ask for the user"
        return self.key.user_id

    def json_object(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise bad_param("the request body must be a JSON object")
        return self.body


Handler = Callable[[Call], Awaitable[Any]]
RequestHandler = Callable[[web.Request], Awaitable[web.Response]]


def reply(
    data: Any = None, *, code: str = "200000", msg: str | None = None, status: int = 200
) -> web.Response:
    envelope: dict[str, Any] = {"code": code}
    if code == "200000":
        envelope["data"] = data
    else:
        envelope["msg"] = msg or ""
    return web.Response(body=orjson.dumps(envelope), status=status, content_type="application/json")


def error_reply(exc: SimError) -> web.Response:
    return reply(code=exc.code, msg=exc.msg, status=exc.http_status)


def too_many(verdict: Verdict) -> web.Response:
    response = reply(code="429000", msg="Too Many Requests", status=429)
    response.headers.update(verdict.headers())
    return response


def client_ip(request: web.Request) -> str:
    return request.remote or "unknown"


class Endpoints:
    """Wraps handlers with auth, pool accounting and the envelope; shared by every route table."""

    def __init__(
        self,
        keys: KeyStore,
        clock: Clock,
        window_ms: int,
        limiter: RateLimiter | None = None,
        counters: Counters | None = None,
        on_write: Callable[[], None] | None = None,
    ) -> None:
        # Called after every call that may have changed something, before its answer is
        # sent: the store writes it to disk there (an acknowledged write is a durable one).
        self.on_write = on_write
        self.keys = keys
        self.clock = clock
        self.window_ms = window_ms
        self.limiter = limiter
        self.counters = counters or Counters()

    def wrap(self, handler: Handler, *, private: bool, admin: bool = False) -> RequestHandler:
        """``admin``: a route of the sim itself (drills). It is never charged to a pool, and its
        signature is checked against the true time, so the switch that turns drills off stays
        reachable whatever drill is on."""

        async def run(request: web.Request) -> web.Response:
            try:
                return await self._serve(request, handler, private, admin)
            except web.HTTPException:
                raise
            except Exception:  # e.g. the client went away mid-body
                log.exception("internal error on %s %s", request.method, request.path)
                return reply(code="500000", msg="Internal Server Error", status=500)

        return run

    async def _serve(
        self, request: web.Request, handler: Handler, private: bool, admin: bool
    ) -> web.Response:
        failure: SimError | None = None
        raw = b""
        key: ApiKey | None = None
        try:
            raw = await self._read(request)
            if private:
                key = self._verify(request, raw, admin)
        except SimError as exc:
            failure = exc
        verdict = None if admin else self.charge(request, private, key)
        if verdict is not None and not verdict.allowed:
            self.counters.http_429_sent += 1
            return too_many(verdict)
        try:
            if failure is not None:
                raise failure
            response = reply(
                await handler(Call(request, dict(request.query), _parse(request, raw), key))
            )
        except SimError as exc:
            response = error_reply(exc)
        except Exception:
            log.exception("internal error on %s %s", request.method, request.path)
            response = reply(code="500000", msg="Internal Server Error", status=500)
        if self.on_write is not None and request.method != "GET":
            self.on_write()  # a failure here is a 500: nothing unsaved is acknowledged
        if verdict is not None:
            response.headers.update(verdict.headers())
        return response

    def charge(self, request: web.Request, private: bool, key: ApiKey | None) -> Verdict | None:
        """Take the route's weight from its pool: Public per client IP, the others per API key
        (a private call that failed authentication has no key, so its IP pays)."""
        if self.limiter is None:
            return None
        resource = request.match_info.route.resource
        template = resource.canonical if resource is not None else request.path
        pool, weight = route_cost(request.method, template, private=private)
        owner = f"ip:{client_ip(request)}" if pool == PUBLIC or key is None else f"key:{key.key}"
        return self.limiter.charge(pool, owner, weight)

    @staticmethod
    async def _read(request: web.Request) -> bytes:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise SimError("400100", TOO_LARGE, 413)
        if not request.can_read_body:
            return b""
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:  # chunked bodies have no Content-Length
            raise SimError("400100", TOO_LARGE, 413) from None

    def _verify(self, request: web.Request, raw: bytes, admin: bool) -> ApiKey:
        now_ms = time.time_ns() // 1_000_000 if admin else self.clock.now_ms()
        # Reading (GET, and the private WebSocket token) needs General; everything that
        # changes the account needs the Futures trading permission.
        reads = request.method == "GET" or request.path == "/api/v1/bullet-private"
        return self.keys.verify(
            request.headers,  # case-insensitive, as HTTP header names are
            request.method,
            request.raw_path,
            raw,
            now_ms,
            self.window_ms,
            remote=request.remote,
            permission=GENERAL if reads else FUTURES,
        )


def _parse(request: web.Request, raw: bytes) -> Any:
    if not raw:
        return None
    content_type = request.headers.get("Content-Type", "")
    if not content_type.lower().startswith("application/json"):
        raise SimError("415000", "Content-Type must be application/json", 415)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad_param("the request body is not valid JSON") from None


class _KucoinRequestHandler(ConnectionHandler):
    """aiohttp's connection handler, answering what its HTTP parser refuses (control
    characters in a header value, a malformed request line) in KuCoin's JSON envelope
    instead of plain text. The message names the kind of fault only: aiohttp's own text
    quotes the offending header, which may be a secret."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status == 500 or request.writer.output_size > 0:
            return super().handle_error(request, status, exc, message)
        kind = (message or "").split(":", 1)[0].splitlines()
        reason = kind[0][:80] if kind and kind[0] else "malformed HTTP request"
        log.debug("unparsable request from %s: %s", request.remote, reason)
        code = "400100" if status == 400 else f"{status}000"
        response = reply(code=code, msg=f"Bad Request: {reason}", status=status)
        response.force_close()
        return response


class _KucoinServer(web.Server):
    def __call__(self) -> ConnectionHandler:
        return _KucoinRequestHandler(self, loop=self._loop, **self._kwargs)


class KucoinRunner(web.AppRunner):
    """An AppRunner whose connections answer parser failures in KuCoin's words."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = _KucoinServer  # same object and state; only __call__ differs
        return server
