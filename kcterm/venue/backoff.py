"""Reconnect delays: exponential backoff with full jitter.

Full jitter (a uniform draw in [0, min(cap, base * 2**n)]) keeps many clients that lost the
same server from reconnecting in lock-step.
"""

from __future__ import annotations

import random
from collections.abc import Callable

_MAX_EXPONENT = 32  # 2**32 * base is far past any cap; avoids float overflow


class Backoff:
    def __init__(
        self, base: float = 0.5, cap: float = 60.0, rng: Callable[[], float] = random.random
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self.base = base
        self.cap = cap
        self.attempt = 0
        self._rng = rng

    def next_delay(self) -> float:
        """The delay before the next attempt; each call widens the window (up to cap)."""
        ceiling = min(self.cap, self.base * 2.0 ** min(self.attempt, _MAX_EXPONENT))
        self.attempt += 1
        return self._rng() * ceiling

    def reset(self) -> None:
        """Called after a connection succeeded, so the next outage starts small again."""
        self.attempt = 0
