"""Trading locked after an unseen failure, until the state has been reconciled with the exchange.

An exception that escapes a background task (or a slot) means some part of the local state
may have missed an update: an order event, a fill, a position change. Trading on such a state
is trading blind, so the lock closes the interlock (core.interlock) with the reason, and only
a reconcile pass that began after the last failure opens it again: the exchange's truth has
then replaced whatever the failure left behind. The lock hands out a token per failure; the
session asks the reconciler for a pass under that token and reports each finished pass here.
"""

from __future__ import annotations

import itertools
import time

_TOKEN_PREFIX = "after a failure #"


class FaultLock:
    def __init__(self) -> None:
        self.reason = ""  # the latest failure, in words; empty while unlocked
        self.last_reason = ""  # the latest failure, kept after the unlock
        self.failures = 0  # every failure so far (the lock may have been lifted since)
        self.locked_at: float | None = None
        self.version = 0
        self._token = ""
        self._numbers = itertools.count(1)

    @property
    def locked(self) -> bool:
        return bool(self.reason)

    def lock(self, reason: str, now: float | None = None) -> str:
        """Lock (or keep locked) for `reason`; returns the reconcile token that will unlock."""
        self.failures += 1
        self.reason = self.last_reason = reason
        self.locked_at = time.monotonic() if now is None else now
        self._token = f"{_TOKEN_PREFIX}{next(self._numbers)}"
        self.version += 1
        return self._token

    @property
    def token(self) -> str:
        """The reconcile reason whose pass unlocks (empty while unlocked)."""
        return self._token if self.locked else ""

    def reconciled(self, reason: str) -> bool:
        """A reconcile pass under `reason` succeeded: unlock if it began after the last
        failure (it carries the latest token). True when this unlocked."""
        if not self.locked or reason != self._token:
            return False
        self.reason = ""
        self.locked_at = None
        self.version += 1
        return True
