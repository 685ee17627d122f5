"""A local level-2 order book kept in sync with /contractMarket/level2 (spec/REFERENCE.md section
9).

Increments are buffered until a snapshot arrives; those at or below the snapshot's sequence are
dropped, the rest applied in order. Every applied message must be the previous sequence + 1;
a gap (or a crossed book) discards the book and asks for a new snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sortedcontainers import SortedDict

from kcterm.core.contract import to_decimal

log = logging.getLogger("kcterm.core.book")

Level = tuple[Decimal, int]


class BookState(StrEnum):
    SYNCING = "syncing"  # waiting for a snapshot, increments buffered
    LIVE = "live"


def _negate(price: Decimal) -> Decimal:
    return -price


class LevelTwoBook:
    """Bids and asks as sorted price -> size maps; O(log n) per change."""

    def __init__(self, symbol: str, *, max_buffer: int = 50_000) -> None:
        self.symbol = symbol
        self.sequence = 0
        self.state = BookState.SYNCING
        self.version = 0  # bumped on every visible change; the UI repaints when it moves
        self.resyncs = 0
        self._bids: SortedDict = SortedDict(_negate)  # best (highest) first
        self._asks: SortedDict = SortedDict()  # best (lowest) first
        self._buffer: list[tuple[int, str]] = []
        self._max_buffer = max_buffer

    # -- feed ------------------------------------------------------------------------------

    def on_increment(self, sequence: int, change: str) -> bool:
        """Take one level2 message. Returns True when the book needs a fresh snapshot."""
        if self.state is BookState.SYNCING:
            if len(self._buffer) >= self._max_buffer:
                # A snapshot that never comes must not grow memory without bound.
                self._buffer.clear()
                return True
            self._buffer.append((sequence, change))
            return False
        if sequence <= self.sequence:
            return False  # a duplicate or a late replay: already in the book
        if sequence != self.sequence + 1:
            log.warning(
                "%s level2 gap: have %d, got %d; resyncing", self.symbol, self.sequence, sequence
            )
            self._start_resync(pending=(sequence, change))
            return True
        try:
            self._apply(change)
        except (ValueError, ArithmeticError):
            # A change we cannot read is a change we lost: the book is no longer trustworthy.
            log.warning("%s unreadable level2 change %r; resyncing", self.symbol, change)
            self._start_resync()
            return True
        self.sequence = sequence
        if self.is_crossed():
            log.warning("%s book crossed at sequence %d; resyncing", self.symbol, sequence)
            self._start_resync()
            return True
        self.version += 1
        return False

    def apply_snapshot(self, snapshot: dict[str, Any]) -> bool:
        """Load GET /api/v1/level2/snapshot data, then replay the buffer.

        Returns True when the buffer shows a gap after the snapshot (another snapshot needed).
        """
        self._bids.clear()
        self._asks.clear()
        for price, size in snapshot.get("bids", ()):
            self._bids[to_decimal(price)] = int(size)
        for price, size in snapshot.get("asks", ()):
            self._asks[to_decimal(price)] = int(size)
        self.sequence = int(snapshot["sequence"])
        buffered, self._buffer = sorted(self._buffer), []
        self.state = BookState.LIVE
        self.version += 1
        for sequence, change in buffered:
            if self.on_increment(sequence, change):
                return True
        return False

    def reset(self) -> None:
        """Forget everything (e.g. the stream reconnected) and wait for a snapshot."""
        self._start_resync()

    def _start_resync(self, pending: tuple[int, str] | None = None) -> None:
        self.state = BookState.SYNCING
        self.resyncs += 1
        self._buffer = [pending] if pending else []
        self.version += 1

    def _apply(self, change: str) -> None:
        price_text, side, size_text = change.split(",")
        if side not in ("buy", "sell"):
            raise ValueError(f"unknown side in change {change!r}")
        price = Decimal(price_text)
        size = int(size_text)
        levels = self._bids if side == "buy" else self._asks
        if size == 0:
            levels.pop(price, None)
        else:
            levels[price] = size

    # -- queries ---------------------------------------------------------------------------

    @property
    def is_live(self) -> bool:
        return self.state is BookState.LIVE

    def bids(self, depth: int | None = None) -> list[Level]:
        return _top(self._bids.items(), depth)

    def asks(self, depth: int | None = None) -> list[Level]:
        return _top(self._asks.items(), depth)

    def best_bid(self) -> Level | None:
        return self._bids.peekitem(0) if self._bids else None

    def best_ask(self) -> Level | None:
        return self._asks.peekitem(0) if self._asks else None

    def spread(self) -> Decimal | None:
        bid, ask = self.best_bid(), self.best_ask()
        return ask[0] - bid[0] if bid and ask else None

    def is_crossed(self) -> bool:
        bid, ask = self.best_bid(), self.best_ask()
        return bool(bid and ask and bid[0] >= ask[0])


def _top(items: Iterable[Level], depth: int | None) -> list[Level]:
    out: list[Level] = []
    for level in items:
        if depth is not None and len(out) >= depth:
            break
        out.append(level)
    return out
