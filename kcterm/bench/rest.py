"""The REST path: a signed round trip through kcterm's client against raw aiohttp, same server.

Both ask a kcterm-sim (its own process, quotas raised so no pool ever waits) for the signed
account overview (USDT), one request at a time, in interleaved rounds in this one process.
kcterm goes its whole way as the app's session does (RestClient with resilience on: pool
throttle, retry policy, the signer, the envelope unwrapped); raw aiohttp signs the same request
by hand (KuCoin's HMAC-SHA256, key version 3), sends it on one ClientSession and parses the
reply with orjson (kcterm.venue.kucoin.wire_floor). Measured per round: requests a second of
wall time, and this process's CPU time per request (time.process_time: the server's CPU is its
own process's and counts for neither).

On a shared machine CPU time moves by a few percent from run to run; the instructions do not.
`python -m kcterm.bench.rest` (instructions_main) makes the same calls for valgrind to count:

    kcterm-sim --port 18555 --memory --rate-limit 1000000000 &
    for c in kcterm raw; do for n in 0 400; do
      valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python -m kcterm.bench.rest --contender $c --count $n --url http://127.0.0.1:18555
    done; done   # "Collected": (n=400 - n=0) / 400 = instructions per request
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from kcterm.bench.harness import Figure, Options, Plot, Result, Row, Series

REQUESTS = 400  # a round, each contender
QUICK_REQUESTS = 20
WARM_CALLS = 20  # of each contender before instructions_main's counted calls


async def _round(call: Callable[[], Awaitable[Any]], count: int) -> tuple[float, float]:
    """(requests per second, CPU ms per request) of `count` calls one after another."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        await call()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    return count / wall, cpu * 1000 / count


@asynccontextmanager
async def _contenders(base_url: str) -> AsyncIterator[dict[str, Callable[[], Awaitable[Any]]]]:
    """The two calls, each on its own open client: kcterm's, as core.session.Session has
    it, and raw aiohttp's."""
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

    try:
        yield {"kcterm": kcterm_call, "raw": raw_call}
    finally:
        await rest.close()
        await http.close()


async def _measure(base_url: str, rounds: int, count: int) -> dict[str, list[tuple[float, float]]]:
    async with _contenders(base_url) as calls:
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in calls}
        for call in calls.values():  # connections open, caches warm
            await _round(call, max(5, count // 10))
        for index in range(rounds):
            names = list(calls) if index % 2 == 0 else list(reversed(calls))
            for name in names:
                samples[name].append(await _round(calls[name], count))
    return samples


async def _calls_only(base_url: str, contender: str, count: int) -> None:
    async with _contenders(base_url) as calls:
        for call in calls.values():  # both warm, whichever is counted: the same start-up
            for _ in range(WARM_CALLS):
                await call()
        call = calls[contender]
        for _ in range(count):
            await call()


def instructions_main(argv: list[str] | None = None) -> int:
    """`python -m kcterm.bench.rest --contender kcterm|raw --count N --url URL`: `count` calls
    of one contender against a kcterm-sim already running at URL, nothing measured, for an
    instruction counter (valgrind --tool=callgrind) to count. Instructions do not depend on
    the machine's load: run it with --count 0 and --count 400 under callgrind; the difference
    over 400 is one request's cost in the client's own code (the kernel's part, which both
    contenders share, is not counted, so this ratio is above the CPU-time one)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kcterm.bench.rest")
    parser.add_argument("--contender", choices=("kcterm", "raw"), required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument(
        "--url", required=True, help="a running kcterm-sim, e.g. http://127.0.0.1:18555"
    )
    args = parser.parse_args(argv)
    asyncio.run(_calls_only(args.url.rstrip("/"), args.contender, args.count))
    return 0


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


if __name__ == "__main__":
    raise SystemExit(instructions_main())
