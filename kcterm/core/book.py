"""A local level-2 order book kept in sync with the venue's book feed (spec/REFERENCE.md
section 9), fed typed values (venue.events BookDelta, BookSnapshot) the adapter parsed.

Deltas are buffered until a snapshot arrives; those at or below the snapshot's sequence are
dropped, the rest applied in order. Every applied delta must be the previous sequence + 1;
a gap (or a crossed book) discards the book and asks for a new snapshot.

Nothing impossible gets in: the adapter refuses what is not a number (venue.kucoin.
market_events), and the book refuses what the contract rules out: a price off the tick grid,
or a book crossed after an apply. A delta that breaks a rule is logged and answered with a
resync; a snapshot that breaks one is refused whole (the book stays syncing, its buffer kept).
A message the adapter could not read at all is a lost message (`lost`): a resync as well.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter

from sortedcontainers import SortedDict

from kcterm.venue.events import BookDelta, BookSnapshot, Side

log = logging.getLogger("kcterm.core.book")

Level = tuple[Decimal, int]
_BY_SEQUENCE = attrgetter("sequence")


class BadBookData(ValueError):
    """A level or a snapshot that the contract rules out; the message says what and why."""


class BookState(StrEnum):
    SYNCING = "syncing"  # waiting for a snapshot, deltas buffered
    LIVE = "live"


def _negate(price: Decimal) -> Decimal:
    return -price


class LevelTwoBook:
    """Bids and asks as sorted price -> size maps; O(log n) per change."""

    def __init__(
        self, symbol: str, *, tick_size: Decimal | None = None, max_buffer: int = 50_000
    ) -> None:
        self.symbol = symbol
        # The contract's tick: prices off its grid are refused (None: not checked).
        self.tick_size = tick_size if tick_size is not None and tick_size > 0 else None
        self.last_problem = ""  # why the last message or snapshot was refused, in words
        self.sequence = 0
        self.state = BookState.SYNCING
        self.version = 0  # bumped on every visible change; the UI repaints when it moves
        self.resyncs = 0
        self._bids: SortedDict = SortedDict(_negate)  # best (highest) first
        self._asks: SortedDict = SortedDict()  # best (lowest) first
        # The best prices, kept by every change: the crossing check on the hot path is then
        # one comparison, not a lookup in the sorted map (they move only at the touch).
        self._best_bid: Decimal | None = None
        self._best_ask: Decimal | None = None
        self._buffer: list[BookDelta] = []
        self._max_buffer = max_buffer

    # -- feed ------------------------------------------------------------------------------

    def on_delta(self, delta: BookDelta) -> bool:
        """Take one change. Returns True when the book needs a fresh snapshot."""
        sequence = delta.sequence
        if self.state is BookState.SYNCING:
            if len(self._buffer) >= self._max_buffer:
                # A snapshot that never comes must not grow memory without bound.
                self._buffer.clear()
                return True
            self._buffer.append(delta)
            return False
        if sequence <= self.sequence:
            return False  # a duplicate or a late replay: already in the book
        if sequence != self.sequence + 1:
            log.warning(
                "%s level2 gap: have %d, got %d; resyncing", self.symbol, self.sequence, sequence
            )
            self._start_resync(pending=delta)
            return True
        price = delta.price
        tick = self.tick_size
        if tick is not None and price % tick:
            # A change we cannot trust is a change we lost: the book is no longer the venue's.
            self._refuse(f"level2 change at {sequence} refused: price {price} is off tick {tick}")
            self._start_resync()
            return True
        size = delta.size
        if delta.side is Side.BUY:
            if size:
                # The book was not crossed before; a bid can only cross it by reaching the ask.
                best_ask = self._best_ask
                if best_ask is not None and price >= best_ask:
                    return self._crossed(sequence)
                self._bids[price] = size
                if self._best_bid is None or price > self._best_bid:
                    self._best_bid = price
            elif self._bids.pop(price, None) is not None and price == self._best_bid:
                self._best_bid = self._bids.peekitem(0)[0] if self._bids else None
        elif size:
            best_bid = self._best_bid
            if best_bid is not None and price <= best_bid:
                return self._crossed(sequence)
            self._asks[price] = size
            if self._best_ask is None or price < self._best_ask:
                self._best_ask = price
        elif self._asks.pop(price, None) is not None and price == self._best_ask:
            self._best_ask = self._asks.peekitem(0)[0] if self._asks else None
        self.sequence = sequence
        self.version += 1
        return False

    def lost(self, problem: str) -> bool:
        """A message of this book could not be read: what it changed is unknown, so the book
        must be fetched again. Returns True (a snapshot is needed)."""
        self._refuse(problem)
        if self.state is BookState.LIVE:
            self._start_resync()
        return True

    def refuse_snapshot(self, problem: str) -> bool:
        """A snapshot the adapter could not read: refused whole, as one that breaks a rule
        here is (the book stays syncing, its buffer kept). Returns True (fetch another)."""
        self._refuse(f"snapshot refused: {problem}")
        self.state = BookState.SYNCING
        return True

    def apply_snapshot(self, snapshot: BookSnapshot) -> bool:
        """Load a snapshot, then replay the buffer.

        Returns True when another snapshot is needed: this one broke a rule (it is refused
        whole, the deltas buffered so far are kept) or the buffer shows a gap after it.
        """
        try:
            bids, asks = self._check_snapshot(snapshot)
        except BadBookData as exc:
            return self.refuse_snapshot(str(exc))
        self._bids.clear()
        self._asks.clear()
        self._bids.update(bids)
        self._asks.update(asks)
        self._best_bid = max(bids) if bids else None
        self._best_ask = min(asks) if asks else None
        self.sequence = snapshot.sequence
        self.last_problem = ""
        buffered, self._buffer = sorted(self._buffer, key=_BY_SEQUENCE), []
        self.state = BookState.LIVE
        self.version += 1
        for delta in buffered:
            if self.on_delta(delta):
                return True
        return False

    def _check_snapshot(self, snapshot: BookSnapshot) -> tuple[dict[Decimal, int], ...]:
        tick = self.tick_size
        sides: list[dict[Decimal, int]] = []
        for name, levels in (("bids", snapshot.bids), ("asks", snapshot.asks)):
            side: dict[Decimal, int] = {}
            for price, size in levels:
                if tick is not None and price % tick:
                    raise BadBookData(f"{name}: price {price} is not on the tick grid of {tick}")
                if size:
                    side[price] = size
            sides.append(side)
        bids, asks = sides
        if bids and asks and max(bids) >= min(asks):
            raise BadBookData(f"crossed: best bid {max(bids)} >= best ask {min(asks)}")
        return bids, asks

    def _crossed(self, sequence: int) -> bool:
        self._refuse(f"book crossed at sequence {sequence}")
        self._start_resync()
        return True

    def _refuse(self, problem: str) -> None:
        self.last_problem = problem
        log.warning("%s %s; resyncing", self.symbol, problem)

    def reset(self) -> None:
        """Forget everything (e.g. the stream reconnected) and wait for a snapshot."""
        self._start_resync()

    def _start_resync(self, pending: BookDelta | None = None) -> None:
        self.state = BookState.SYNCING
        self.resyncs += 1
        self._buffer = [pending] if pending else []
        self.version += 1

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
