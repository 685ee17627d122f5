"""A venue's failure as the layers above the adapter see it: a stable `kind` to act on, plus
the venue's own `code` and `msg` to show and log.

core/ and ui/ catch VenueError and branch on `kind`; only the adapter (kcterm.venue.kucoin)
knows which venue code means which kind. `ambiguous` says whether the request may have been
carried out although it failed (a timeout or a 5xx may hide a placed order; a refusal cannot).
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    REFUSED = "refused"  # the venue refused the request by a rule (price band, reduce-only ...)
    INVALID = "invalid"  # a value of the request is not acceptable
    INSUFFICIENT_FUNDS = "insufficient-funds"
    NOT_FOUND = "not-found"  # the order is filled, cancelled or unknown
    DUPLICATE = "duplicate"  # an order with this client id exists already
    AUTH = "auth"  # key, secret, passphrase or permission
    CLOCK = "clock"  # the request's timestamp is off the venue's clock
    RATE_LIMITED = "rate-limited"
    UNAVAILABLE = "unavailable"  # the venue answers 5xx, is in maintenance, or not at all
    NOT_PLACED = "not-placed"  # kcterm's verdict: the order is known not to be on the venue
    OUTCOME_UNKNOWN = "outcome-unknown"  # kcterm's verdict: placed or not, nobody knows yet


class VenueError(Exception):
    """Base of every error an adapter raises. Subclasses set `kind` (and may refine it)."""

    kind: ErrorKind = ErrorKind.REFUSED
    ambiguous = False
    explanation = "The exchange refused the request."

    def __init__(self, code: str, msg: str) -> None:
        self.code = str(code)
        self.msg = str(msg)
        super().__init__(self.code, self.msg)

    @property
    def trader_text(self) -> str:
        """The sentence for the status line: what happened, in a trader's words."""
        return self.explanation

    @property
    def sentence(self) -> str:
        """What this code means, in a trader's words (the adapter knows its venue's codes)."""
        return self.msg or self.explanation

    @property
    def own_verdict(self) -> bool:
        """True when kcterm decided this (no reply, an order it stopped trying), not the venue."""
        return False

    @property
    def words(self) -> str:
        """The venue's code and message verbatim, then our sentence: what a refusal reads as."""
        return f"{self.code} · {self.msg}" if self.msg else self.code
