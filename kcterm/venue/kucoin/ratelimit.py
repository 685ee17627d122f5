"""The ``gw-ratelimit-*`` headers KuCoin puts on every REST reply (spec/REFERENCE.md 6.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """Quota of the resource pool the last request hit, as reported by the server."""

    limit: int
    remaining: int
    reset_ms: int  # time until the 30 s window resets, relative to at_monotonic
    at_monotonic: float  # time.monotonic() when the reply arrived

    @property
    def resets_at_monotonic(self) -> float:
        return self.at_monotonic + self.reset_ms / 1000.0

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], now: float) -> RateLimitState | None:
        """Parse the three headers; None when any is missing or not an integer."""
        try:  # every reply passes here: positional, no keyword matching
            return cls(
                int(headers["gw-ratelimit-limit"]),
                int(headers["gw-ratelimit-remaining"]),
                int(headers["gw-ratelimit-reset"]),
                now,
            )
        except (KeyError, ValueError, TypeError):
            return None
