"""The REST plumbing: KuCoin's envelope, its error replies, authentication and body parsing.

Every handler is wrapped by ``endpoint``: it gets a ``Call`` (query, JSON body, the caller's
key when the route is private) and returns the ``data`` payload or raises SimError. Anything
unexpected is logged and answered with 500000; nothing reaches the client as a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from kcterm.sim.auth import ApiKey, KeyStore
from kcterm.sim.clock import Clock
from kcterm.sim.errors import SimError, bad_param

log = logging.getLogger("kcterm.sim.http")

MAX_BODY = 256 * 1024


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


class Endpoints:
    """Wraps handlers with auth and the envelope; shared by every route table."""

    def __init__(self, keys: KeyStore, clock: Clock, window_ms: int) -> None:
        self.keys = keys
        self.clock = clock
        self.window_ms = window_ms

    def wrap(
        self, handler: Handler, *, private: bool
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def run(request: web.Request) -> web.Response:
            try:
                call = await self._call(request, private)
                return reply(await handler(call))
            except SimError as exc:
                return error_reply(exc)
            except web.HTTPException:
                raise
            except Exception:
                log.exception("internal error on %s %s", request.method, request.path)
                return reply(code="500000", msg="Internal Server Error", status=500)

        return run

    async def _call(self, request: web.Request, private: bool) -> Call:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise SimError("400100", f"request body is larger than {MAX_BODY} bytes", 413)
        raw = await request.read() if request.can_read_body else b""
        key = None
        if private:
            key = self.keys.verify(
                dict(request.headers),
                request.method,
                request.raw_path,
                raw,
                self.clock.now_ms(),
                self.window_ms,
            )
        body: Any = None
        if raw:
            content_type = request.headers.get("Content-Type", "")
            if not content_type.lower().startswith("application/json"):
                raise SimError("415000", "Content-Type must be application/json", 415)
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise bad_param("the request body is not valid JSON") from None
        return Call(request, dict(request.query), body, key)


@web.middleware
async def kucoin_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Routing failures in KuCoin's words: unknown URL 404000, wrong method, huge bodies."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return reply(code="404000", msg=f"Not Found: {request.path}", status=404)
    except web.HTTPMethodNotAllowed:
        return reply(code="405000", msg=f"Method {request.method} not allowed", status=405)
    except web.HTTPRequestEntityTooLarge:
        return reply(code="400100", msg=f"request body is larger than {MAX_BODY} bytes", status=413)
