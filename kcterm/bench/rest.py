"""The REST path: a signed round trip through kcterm's client against raw aiohttp, same server.

Both ask a kcterm-sim (its own process, quotas raised so no pool ever waits) for the signed
account overview (USDT), one request at a time, in interleaved rounds in this one process.
kcterm goes its whole way as the app's session does (RestClient with resilience on: pool
throttle, retry policy, the signer, the envelope unwrapped); raw aiohttp signs the same request
by hand (KuCoin's HMAC-SHA256, key version 3), sends it on one ClientSession and parses the
reply with orjson (kcterm.venue.kucoin.wire_floor). Measured per round: requests a second of
wall time, and this process's CPU time per request (time.process_time: the server's CPU is its
own process's and counts for neither).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from kcterm.bench.harness import Figure, Options, Plot, Result, Row, Series

REQUESTS = 400  # a round, each contender
QUICK_REQUESTS = 20


async def _round(call: Callable[[], Awaitable[Any]], count: int) -> tuple[float, float]:
    """(requests per second, CPU ms per request) of `count` calls one after another."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        await call()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    return count / wall, cpu * 1000 / count


async def _measure(base_url: str, rounds: int, count: int) -> dict[str, list[tuple[float, float]]]:
    import aiohttp

    from kcterm.sim.config import SimConfig
    from kcterm.venue.kucoin.rest import RestClient
    from kcterm.venue.kucoin.signer import Credentials
    from kcterm.venue.kucoin.wire_floor import signed_account_overview

    cfg = SimConfig()
    rest = RestClient(base_url, Credentials(cfg.key, cfg.secret, cfg.passphrase, "3"))
    rest.enable_resilience()  # as core.session.Session has it
    http = aiohttp.ClientSession()
    raw_call = signed_account_overview(http, base_url, cfg.key, cfg.secret, cfg.passphrase)

    async def kcterm_call() -> None:
        await rest.account_overview("USDT")

    calls = {"kcterm": kcterm_call, "raw": raw_call}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in calls}
    try:
        for call in calls.values():  # connections open, caches warm
            await _round(call, max(5, count // 10))
        for index in range(rounds):
            names = list(calls) if index % 2 == 0 else list(reversed(calls))
            for name in names:
                samples[name].append(await _round(calls[name], count))
    finally:
        await rest.close()
        await http.close()
    return samples


def run(options: Options) -> Result:
    from kcterm.embedded import EmbeddedExchange
    from kcterm.sim.config import SimConfig

    count = QUICK_REQUESTS if options.quick else REQUESTS
    rounds = 1 if options.quick else options.rounds
    quota = 1_000_000_000  # no pool waits: the figure is the path, not the rate limit
    exchange = EmbeddedExchange(SimConfig(seed=7, public_quota=quota, futures_quota=quota))
    base_url = exchange.start()
    try:
        samples = asyncio.run(_measure(base_url, rounds, count))
    finally:
        exchange.stop()
    rate = {name: Figure(tuple(s[0] for s in got)) for name, got in samples.items()}
    cpu = {name: Figure(tuple(s[1] for s in got)) for name, got in samples.items()}
    what = f"signed GET account-overview, one at a time, {count} a round"
    contender = "raw aiohttp + hmac + orjson, same kcterm-sim"
    rows = [
        Row.compare(
            f"REST round trips/s ({what})",
            rate["kcterm"],
            "req/s",
            contender,
            rate["raw"],
            goal=">= 0.91x (within 1.1x)",
            label="REST req/s",
        ),
        Row.compare(
            f"REST client CPU per request ({what})",
            cpu["kcterm"],
            "ms",
            contender,
            cpu["raw"],
            goal="<= 1.1x",
            label="REST CPU/request",
        ),
    ]
    plot = Plot(
        "signed REST round trip (median of rounds)",
        "",
        "req/s  |  CPU µs per request",
        (
            Series("kcterm", (0, 1), (rate["kcterm"].median, cpu["kcterm"].median * 1000)),
            Series("raw aiohttp", (0, 1), (rate["raw"].median, cpu["raw"].median * 1000)),
        ),
        bars=("req/s", "CPU µs/request"),
    )
    return Result(rows, [plot])
