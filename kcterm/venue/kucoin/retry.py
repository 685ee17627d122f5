"""What the REST client may retry on its own, and the counts of what it did
(spec/REFERENCE.md 3, 6.1).

A request refused before it was served (429, 400002) is safe to send again once the reason is
gone. A request whose outcome is unknown (a timeout, a dropped connection, a 5xx) is retried
here only when repeating it cannot do harm: reads, cancels and token requests. Placing an order
is never repeated blindly; the order gateway (core/order_gateway.py) asks the exchange by
clientOid first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kcterm.venue.backoff import Backoff
from kcterm.venue.priority import Priority

SAFE_METHODS = frozenset({"GET", "DELETE"})  # reads, and cancels: repeating one cannot add


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6  # ambiguous failures (5xx, transport) of a safe request
    backoff_base: float = 0.2
    backoff_cap: float = 5.0
    max_rate_limit_waits: int = 5  # 429 -> wait for the reset -> again, at most this often

    def backoff(self) -> Backoff:
        return Backoff(self.backoff_base, self.backoff_cap)


@dataclass
class RestStats:
    """What the client went through; the drill prints these and the status bar may too."""

    requests: int = 0
    retries: int = 0
    http_429: int = 0
    http_5xx: int = 0
    transport_errors: int = 0
    clock_resyncs: int = 0
    # Requests sent by "METHOD path" (the path without its query): what polls how often.
    by_path: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if k != "by_path"}


def default_priority(method: str, path: str) -> Priority:
    """Cancels first, then orders, then everything else (background work says so itself)."""
    if method == "DELETE":
        return Priority.CANCEL
    if method == "POST" and path.startswith(("/api/v1/orders", "/api/v1/st-orders")):
        return Priority.PLACE
    return Priority.QUERY


def is_safe(method: str, idempotent: bool) -> bool:
    return idempotent or method in SAFE_METHODS
