"""Fault drills: bad days on demand, for traders who want to rehearse them and for the tests of
the client's resilience.

Each drill is a method here (``sim.drills.drop_connections()``), a field of the admin body
(POST /sim/admin/drills, routes_admin.py) and, for the ones that make sense from the start, a
kcterm-sim flag. They exist only in the sim: nothing of this is reachable on the live venue.
"""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

from kcterm.sim import params
from kcterm.sim.clock import Clock
from kcterm.sim.config import SimConfig
from kcterm.sim.errors import bad_param, unknown_contract
from kcterm.sim.faults import FaultState
from kcterm.sim.ratelimit import FUTURES, PUBLIC, RateLimiter
from kcterm.sim.ws import Hub

MAX_DELAY_MS = 60_000
MAX_SKEW_MS = 86_400_000
MAX_SILENCE_S = 3_600
MAX_SKIPS = 1_000
MAX_FAILURES = 1_000_000
WHICH_CONNECTIONS = {"all": None, "public": False, "private": True}
POOLS = (FUTURES, PUBLIC)

# The admin body's fields, in the order they are applied (clear first, drops last).
FIELDS = (
    "clear",
    "delayMs",
    "failNext",
    "failRate",
    "clockSkewMs",
    "stopPongsSeconds",
    "skipLevel2",
    "exhaustPool",
    "dropConnections",
)


class Drills:
    def __init__(
        self, faults: FaultState, hub: Hub, limiter: RateLimiter, clock: Clock, symbols: set[str]
    ) -> None:
        self.faults = faults
        self.hub = hub
        self.limiter = limiter
        self.clock = clock
        self.symbols = symbols

    def start_with(self, config: SimConfig) -> None:
        """The drills a kcterm-sim command line (or a test's SimConfig) turns on at start."""
        self.delay_replies(config.delay_ms)
        self.fail_rate(config.fail_rate)
        self.skew_clock(config.clock_skew_ms)

    # -- the drills --------------------------------------------------------------------------

    def drop_connections(self, which: str = "all") -> int:
        """Close WebSocket connections now ("all", "public" or "private"); returns how many."""
        if which not in WHICH_CONNECTIONS:
            raise ValueError(f"which must be one of {', '.join(WHICH_CONNECTIONS)}")
        return self.hub.drop(WHICH_CONNECTIONS[which])

    def skip_level2(self, symbol: str, count: int = 1) -> None:
        """Lose the next ``count`` level2 messages of ``symbol`` on their way to every client:
        the feed shows a sequence gap while the REST snapshot keeps the true sequence."""
        if symbol not in self.symbols:
            raise unknown_contract(symbol)
        self.faults.skip_level2[symbol] = self.faults.skip_level2.get(symbol, 0) + count

    def delay_replies(self, ms: int) -> None:
        """Hold every REST reply ``ms`` milliseconds (0: off). The request is served at once;
        only its answer is late, as on a congested link."""
        self.faults.delay_ms = max(0, ms)

    def fail_next(self, count: int) -> None:
        """Answer the next ``count`` REST requests with HTTP 503 without serving them."""
        self.faults.fail_next = max(0, count)

    def fail_rate(self, rate: float) -> None:
        """Answer this fraction (0..1) of REST requests with HTTP 503 (seeded, repeatable)."""
        if not 0 <= rate <= 1:
            raise ValueError("the fail rate must be between 0 and 1")
        self.faults.fail_rate = rate

    def exhaust_pool(self, pool: str = FUTURES) -> int:
        """Empty a rate-limit pool for everyone until one window from now; returns its ms."""
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(POOLS)}")
        return self.limiter.exhaust(pool)

    def skew_clock(self, ms: int) -> None:
        """Move the exchange's clock by ``ms``: reply timestamps and the signature window move
        with it, so a client that does not resync gets 400002."""
        self.clock.skew_ms = ms

    def stop_pongs(self, seconds: float) -> None:
        """Leave pings unanswered for ``seconds`` (0: answer again now)."""
        self.faults.pongs_stopped_until = time.monotonic() + max(0.0, seconds)

    def clear(self) -> None:
        """Every drill off, pools refilled; the counters are kept."""
        self.faults.delay_ms = self.faults.fail_next = 0
        self.faults.fail_rate = 0.0
        self.faults.pongs_stopped_until = 0.0
        self.faults.skip_level2.clear()
        self.clock.skew_ms = 0
        self.limiter.clear()

    # -- the admin endpoint's view -----------------------------------------------------------

    def state(self) -> dict[str, Any]:
        faults = self.faults
        silent_ms = max(0, round((faults.pongs_stopped_until - time.monotonic()) * 1000))
        return {
            "delayMs": faults.delay_ms,
            "failNext": faults.fail_next,
            "failRate": faults.fail_rate,
            "clockSkewMs": self.clock.skew_ms,
            "pongsStoppedMs": silent_ms,
            "level2Skips": dict(faults.skip_level2),
            "exhaustedPools": self.limiter.blocked_ms(),
            "quotas": {pool: self.limiter.quota(pool) for pool in POOLS},
            "windowMs": self.limiter.window_ms,
            "connections": len(self.hub.connections),
            "counters": faults.counters.as_dict(),
        }

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check every field of an admin request first, then apply them all (or none)."""
        unknown = [name for name in body if name not in FIELDS]
        if unknown:
            raise bad_param(f"unknown field {unknown[0][:40]!r}; known: {', '.join(FIELDS)}")
        steps = [_check(self, name, body[name]) for name in FIELDS if name in body]
        for step in steps:
            step()
        return self.state()


def _check(drills: Drills, name: str, value: Any) -> Any:
    """Validate one admin field; return what applies it (400100 naming the field otherwise)."""
    field = {name: value}
    if name == "clear":
        on = params.flag(field, name)
        return drills.clear if on else (lambda: None)
    if name == "delayMs":
        ms = params.whole(field, name, required=True, minimum=0, maximum=MAX_DELAY_MS)
        return lambda: drills.delay_replies(ms)
    if name == "failNext":
        count = params.whole(field, name, required=True, minimum=0, maximum=MAX_FAILURES)
        return lambda: drills.fail_next(count)
    if name == "failRate":
        rate = _number(value, name, 1)
        return lambda: drills.fail_rate(rate)
    if name == "clockSkewMs":
        ms = params.whole(field, name, required=True, minimum=-MAX_SKEW_MS, maximum=MAX_SKEW_MS)
        return lambda: drills.skew_clock(ms)
    if name == "stopPongsSeconds":
        seconds = _number(value, name, MAX_SILENCE_S)
        return lambda: drills.stop_pongs(seconds)
    if name == "skipLevel2":
        return _check_skip(drills, value)
    if name == "exhaustPool":
        pool = params.text(field, name, required=True, choices=POOLS)
        return lambda: drills.exhaust_pool(pool)
    which = params.text(field, name, required=True, choices=tuple(WHICH_CONNECTIONS))
    return lambda: drills.drop_connections(which)


def _check_skip(drills: Drills, value: Any) -> Any:
    if not isinstance(value, dict):
        raise bad_param('skipLevel2 must be an object like {"symbol": "XBTUSDTM", "count": 1}')
    extra = [k for k in value if k not in ("symbol", "count")]
    if extra:
        raise bad_param(f"skipLevel2 has an unknown field {extra[0][:40]!r}")
    symbol = params.text(value, "symbol", required=True, max_len=40)
    count = params.whole(value, "count", default=1, minimum=1, maximum=MAX_SKIPS)
    if symbol not in drills.symbols:
        raise unknown_contract(symbol)
    return lambda: drills.skip_level2(symbol, count)


def _number(value: Any, name: str, maximum: int) -> float:
    """A plain number (or one in a string) from 0 to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad_param(f"{name} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise bad_param(f"{name} must be a number") from None
    if not number.is_finite() or not 0 <= number <= maximum:
        raise bad_param(f"{name} must be between 0 and {maximum}")
    return float(number)
