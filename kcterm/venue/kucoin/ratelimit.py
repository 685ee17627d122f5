"""The ``gw-ratelimit-*`` headers KuCoin puts on every REST reply (spec/REFERENCE.md 6.1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from multidict import istr

# The header names as multidict's case-insensitive keys: a reply's headers (a CIMultiDict)
# find them without folding their case at every lookup; a plain dict finds them as str.
_LIMIT = istr("gw-ratelimit-limit")
_REMAINING = istr("gw-ratelimit-remaining")
_RESET = istr("gw-ratelimit-reset")


_new = tuple.__new__


class RateLimitState(NamedTuple):
    """Quota of the resource pool the last request hit, as reported by the server.

    A NamedTuple (immutable, as a frozen dataclass would be): every reply builds one, and a
    tuple is built in one step where a frozen dataclass sets each field through
    object.__setattr__ (issue 14: a tenth of the client's own cost per request)."""

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
        try:  # every reply passes here: tuple.__new__ is what cls() runs, without its frame
            return _new(
                cls, (int(headers[_LIMIT]), int(headers[_REMAINING]), int(headers[_RESET]), now)
            )
        except (KeyError, ValueError, TypeError):
            return None
