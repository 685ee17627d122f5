"""Rate-limit pools as KuCoin runs them ("rate limit 2.0", spec/REFERENCE.md 6.1).

Every endpoint draws its weight from a pool (spec_tables.py, generated from the OpenAPI files).
Each owner of a pool (the client's IP for Public, the API key for Futures) has a quota per
window; the window starts at that owner's first request and the full quota comes back when it
ends. A request that does not fit is refused whole and consumes nothing. Windows run on the
monotonic clock, so the clock-skew drill never stretches or shrinks them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kcterm.sim.spec_tables import RATE_LIMITS

PUBLIC = "Public"
FUTURES = "Futures"
DEFAULT_WEIGHT = 1  # routes the spec does not list (or lists without a weight)
WINDOW_MS = 30_000
_PRUNE_AT = 10_000  # windows kept before the expired ones are swept out

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _shape(path: str) -> str:
    # The spec and our routes name path parameters differently ({order-id} vs {orderId}).
    return _PLACEHOLDER.sub("{}", path)


_COSTS: dict[tuple[str, str], tuple[str, int]] = {
    (method, _shape(path)): (pool, DEFAULT_WEIGHT if weight is None else weight)
    for (method, path), (pool, weight) in RATE_LIMITS.items()
}


def route_cost(method: str, template: str, *, private: bool) -> tuple[str, int]:
    """(pool, weight) of one route; routes the spec does not know cost the default weight from
    the pool their kind would use."""
    method = "GET" if method.upper() == "HEAD" else method.upper()
    known = _COSTS.get((method, _shape(template)))
    if known is not None:
        return known
    return (FUTURES if private else PUBLIC), DEFAULT_WEIGHT


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


@dataclass(frozen=True)
class Verdict:
    """The outcome of one charge, and what the gw-ratelimit-* headers then say."""

    allowed: bool
    pool: str
    limit: int
    remaining: int
    reset_ms: int

    def headers(self) -> dict[str, str]:
        return {
            "gw-ratelimit-limit": str(self.limit),
            "gw-ratelimit-remaining": str(self.remaining),
            "gw-ratelimit-reset": str(self.reset_ms),
        }


@dataclass
class _Window:
    start_ms: int
    used: int = 0


class RateLimiter:
    def __init__(
        self,
        quotas: Mapping[str, int],
        *,
        default_quota: int = 2000,
        window_ms: int = WINDOW_MS,
        now: Callable[[], int] = monotonic_ms,
    ) -> None:
        if window_ms <= 0 or default_quota <= 0 or any(q <= 0 for q in quotas.values()):
            raise ValueError("quotas and the window must be above zero")
        self.quotas = dict(quotas)
        self.default_quota = default_quota
        self.window_ms = window_ms
        self._now = now
        self._windows: dict[tuple[str, str], _Window] = {}
        self._blocked_until: dict[str, int] = {}  # pool -> end of an exhaust drill

    def quota(self, pool: str) -> int:
        return self.quotas.get(pool, self.default_quota)

    def charge(self, pool: str, owner: str, weight: int) -> Verdict:
        """Take ``weight`` from ``owner``'s quota in ``pool`` if it fits; say what is left."""
        now = self._now()
        limit = self.quota(pool)
        blocked_until = self._blocked_until.get(pool, 0)
        if now < blocked_until:
            return Verdict(False, pool, limit, 0, blocked_until - now)
        window = self._window(pool, owner, now)
        reset = window.start_ms + self.window_ms - now
        if window.used + weight > limit:
            return Verdict(False, pool, limit, limit - window.used, reset)
        window.used += weight
        return Verdict(True, pool, limit, limit - window.used, reset)

    def exhaust(self, pool: str) -> int:
        """Empty ``pool`` for every owner for one window from now; returns that time in ms."""
        self._blocked_until[pool] = self._now() + self.window_ms
        return self.window_ms

    def blocked_ms(self) -> dict[str, int]:
        """Pools emptied by a drill, with the ms left until they refill."""
        now = self._now()
        return {p: until - now for p, until in self._blocked_until.items() if until > now}

    def clear(self) -> None:
        """Forget drills and used quota: every owner starts a fresh window."""
        self._blocked_until.clear()
        self._windows.clear()

    def _window(self, pool: str, owner: str, now: int) -> _Window:
        key = (pool, owner)
        window = self._windows.get(key)
        if window is None or now >= window.start_ms + self.window_ms:
            if len(self._windows) >= _PRUNE_AT:
                self._prune(now)
            window = self._windows[key] = _Window(now)
        return window

    def _prune(self, now: int) -> None:
        expired = [k for k, w in self._windows.items() if now >= w.start_ms + self.window_ms]
        for key in expired:
            del self._windows[key]
