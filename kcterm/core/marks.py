"""Ordering local events against REST snapshots, for reconciliation.

A snapshot requested at mark m says nothing about state the feed touched after m: that event
is newer than the snapshot, so reconciliation leaves it alone instead of undoing it.
"""

from __future__ import annotations

import itertools
from typing import Any

_ticks = itertools.count(1)


def event_mark() -> int:
    """The next point in the order of events (strictly increasing, process-wide)."""
    return next(_ticks)


def differences(local: Any, remote: Any, keys: tuple[str, ...]) -> list[str]:
    """`field local -> remote` for every attribute in `keys` that differs."""
    return [
        f"{key} {getattr(local, key)} -> {getattr(remote, key)}"
        for key in keys
        if getattr(local, key) != getattr(remote, key)
    ]
