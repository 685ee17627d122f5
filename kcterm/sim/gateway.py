"""What stands in front of every REST route, as KuCoin's gateway does: routing failures in
KuCoin's words (unknown URL 404000, wrong method 405000, huge bodies), the pool charge for
URLs that match no route, and the REST drills (503 answers, delayed replies).

The sim's own admin routes and the WebSocket endpoint pass through untouched: no drill may
lock out the switch that turns the drills off, and REST drills are for REST calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from kcterm.sim.faults import FaultState
from kcterm.sim.http import TOO_LARGE, Endpoints, client_ip, reply, too_many
from kcterm.sim.ratelimit import DEFAULT_WEIGHT, PUBLIC

ADMIN_PREFIX = "/sim/admin/"
WS_PATH = "/"

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


def gateway(endpoints: Endpoints, faults: FaultState) -> Middleware:
    """The aiohttp middleware for one exchange."""

    @web.middleware
    async def kucoin_gateway(request: web.Request, handler: Next) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX) or request.path == WS_PATH:
            # The drill switch must stay reachable; the WebSocket endpoint is no REST call.
            return await _routed(endpoints, request, handler, metered=False)
        if faults.take_failure():
            response: web.StreamResponse = reply(
                code="503000", msg="Service Unavailable", status=503
            )
        else:
            response = await _routed(endpoints, request, handler, metered=True)
        if faults.delay_ms > 0:
            await asyncio.sleep(faults.delay_ms / 1000)
        return response

    return kucoin_gateway


async def _routed(
    endpoints: Endpoints, request: web.Request, handler: Next, *, metered: bool
) -> web.StreamResponse:
    verdict = None
    limiter = endpoints.limiter
    if metered and limiter is not None and request.match_info.http_exception is not None:
        # No route: the gateway still counts the request against the caller's IP.
        verdict = limiter.charge(PUBLIC, f"ip:{client_ip(request)}", DEFAULT_WEIGHT)
        if not verdict.allowed:
            endpoints.counters.http_429_sent += 1
            return too_many(verdict)
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = reply(code="404000", msg=f"Not Found: {request.path}", status=404)
    except web.HTTPMethodNotAllowed:
        response = reply(code="405000", msg=f"Method {request.method} not allowed", status=405)
    except web.HTTPRequestEntityTooLarge:
        response = reply(code="400100", msg=TOO_LARGE, status=413)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = reply(code=f"{exc.status}000", msg=exc.reason, status=exc.status)
    if verdict is not None:
        response.headers.update(verdict.headers())
    return response
