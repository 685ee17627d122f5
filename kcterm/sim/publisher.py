"""What the engine needs from the WebSocket side: "is anyone listening?" and "send this"."""

from __future__ import annotations

from typing import Any, Protocol


class Publisher(Protocol):
    def wants(self, topic: str, user_id: str | None = None) -> bool:
        """True when a connection (of ``user_id``, for private topics) holds ``topic``."""
        ...

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        """Queue a data frame to every subscriber; never blocks and never raises."""
        ...


class NullPublisher:
    """For an engine run without a server (benchmarks)."""

    def wants(self, topic: str, user_id: str | None = None) -> bool:
        return False

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        return None
