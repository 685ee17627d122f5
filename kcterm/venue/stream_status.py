"""What a stream connection is doing, in a shape the status bar can show as it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StreamState(StrEnum):  # a str, so it can go straight into status text and logs
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    STALE = "stale"  # connected, but a pong is overdue: the link may be dead
    RECONNECTING = "reconnecting"
    DEAD = "dead"  # its tasks stopped running; the supervisor is starting a fresh one
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """One connection as the status bar shows it."""

    name: str
    state: StreamState
    attempt: int  # failed connection attempts in a row (0 while connected)
    retry_in_s: float | None  # until the next attempt, while waiting to reconnect
    topics: int
    rtt_ms: float | None
    detail: str

    @property
    def label(self) -> str:
        if self.state is StreamState.RECONNECTING and self.retry_in_s is not None:
            return f"reconnecting (attempt {self.attempt}, next try in {self.retry_in_s:.0f} s)"
        if self.state is StreamState.RECONNECTING:
            return f"reconnecting (attempt {self.attempt})"
        if self.state is StreamState.DEAD:
            return f"dead ({self.detail})" if self.detail else "dead"
        return self.state.value
