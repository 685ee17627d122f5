"""A local level-2 order book kept in sync with /contractMarket/level2
(spec/REFERENCE.md section 9).

Increments are buffered until a snapshot arrives; those at or below the snapshot's sequence are
dropped, the rest applied in order. Every applied message must be the previous sequence + 1;
a gap (or a crossed book) discards the book and asks for a new snapshot.

Nothing impossible gets in: every price is finite, positive and on the contract's tick grid,
every size a non-negative whole number of lots (spec/REFERENCE.md §2: sizes are integers), every
sequence an integer (a bool is not one here), and the book is never crossed after an apply. A
message that breaks a rule is logged and answered with a resync; a snapshot that breaks one is
refused whole (the book stays syncing, its buffer kept) and never raises out of apply_snapshot.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sortedcontainers import SortedDict

from kcterm.core.contract import to_decimal

log = logging.getLogger("kcterm.core.book")

Level = tuple[Decimal, int]

# Plain decimal text only: Decimal() and int() also take "1_00", " 5", "1e3", "NaN" and "inf".
_PRICE_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_INT_TEXT = re.compile(r"^[0-9]+$")


class BadBookData(ValueError):
    """A level, a change or a snapshot that cannot be true; the message says what and why."""


def parse_sequence(value: object) -> int:
    """A level2 or snapshot sequence: an int (never a bool) or its digits as text."""
    if isinstance(value, bool):
        raise BadBookData(f"sequence {value!r} is a bool, not an integer")
    if isinstance(value, int):
        if value < 0:
            raise BadBookData(f"sequence {value} is negative")
        return value
    if isinstance(value, str) and _INT_TEXT.match(value):
        return int(value)
    raise BadBookData(f"sequence {value!r} is not an integer")


def parse_size(value: object) -> int:
    """A size in lots: a non-negative whole number (an int, a whole float, or digits)."""
    if isinstance(value, bool):
        raise BadBookData(f"size {value!r} is a bool, not a number of lots")
    if isinstance(value, int):
        size = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise BadBookData(f"size {value!r} is not a whole number of lots")
        size = int(value)
    elif isinstance(value, str) and _INT_TEXT.match(value):
        size = int(value)
    else:
        raise BadBookData(f"size {value!r} is not a whole number of lots")
    if size < 0:
        raise BadBookData(f"size {size} is negative")
    return size


_MAX_PRICE_EXPONENT = 15


def parse_price(value: object, tick_size: Decimal | None) -> Decimal:
    """A price: finite, above zero and a multiple of the tick (when the tick is known)."""
    if isinstance(value, bool):
        raise BadBookData(f"price {value!r} is a bool")
    if isinstance(value, str):
        if not _PRICE_TEXT.match(value):
            raise BadBookData(f"price {value!r} is not a plain decimal number")
        price = Decimal(value)
    elif isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise BadBookData(f"price {value!r} is not finite")
        price = to_decimal(value)
        if not price.is_finite():
            raise BadBookData(f"price {value!r} is not finite")
    else:
        raise BadBookData(f"price {value!r} is not a number")
    if price <= 0:
        raise BadBookData(f"price {price} is not above zero")
    # No contract trades anywhere near 1e15; beyond it the tick check below would also overflow
    # the decimal context (DivisionImpossible) instead of saying what is wrong.
    if price.adjusted() >= _MAX_PRICE_EXPONENT:
        raise BadBookData(f"price {price} is beyond any contract's range")
    if tick_size is not None and price % tick_size != 0:
        raise BadBookData(f"price {price} is not on the tick grid of {tick_size}")
    return price


class BookState(StrEnum):
    SYNCING = "syncing"  # waiting for a snapshot, increments buffered
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
        self._buffer: list[tuple[int, str]] = []
        self._max_buffer = max_buffer

    # -- feed ------------------------------------------------------------------------------

    def on_increment(self, sequence: object, change: object) -> bool:
        """Take one level2 message. Returns True when the book needs a fresh snapshot."""
        try:
            sequence = parse_sequence(sequence)
            if not isinstance(change, str):
                raise BadBookData(f"change {change!r} is not text")
        except BadBookData as exc:
            # Without a sequence we cannot know what was lost: the book must be fetched again.
            self._refuse(f"level2 message refused: {exc}")
            if self.state is BookState.LIVE:
                self._start_resync()
            return True
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
        except (ValueError, ArithmeticError) as exc:
            # A change we cannot read is a change we lost: the book is no longer trustworthy.
            self._refuse(f"level2 change {change!r} at {sequence} refused: {exc}")
            self._start_resync()
            return True
        self.sequence = sequence
        if self.is_crossed():
            self._refuse(f"book crossed at sequence {sequence}")
            self._start_resync()
            return True
        self.version += 1
        return False

    def apply_snapshot(self, snapshot: dict[str, Any]) -> bool:
        """Load GET /api/v1/level2/snapshot data, then replay the buffer.

        Returns True when another snapshot is needed: this one broke a rule (it is refused
        whole, the increments buffered so far are kept) or the buffer shows a gap after it.
        """
        try:
            sequence, bids, asks = self._read_snapshot(snapshot)
        except BadBookData as exc:
            self._refuse(f"snapshot refused: {exc}")
            self.state = BookState.SYNCING
            return True
        self._bids.clear()
        self._asks.clear()
        self._bids.update(bids)
        self._asks.update(asks)
        self.sequence = sequence
        self.last_problem = ""
        buffered, self._buffer = sorted(self._buffer), []
        self.state = BookState.LIVE
        self.version += 1
        for sequence, change in buffered:
            if self.on_increment(sequence, change):
                return True
        return False

    def _read_snapshot(
        self, snapshot: object
    ) -> tuple[int, dict[Decimal, int], dict[Decimal, int]]:
        if not isinstance(snapshot, dict):
            raise BadBookData(f"a snapshot is an object, not {type(snapshot).__name__}")
        if "sequence" not in snapshot:
            raise BadBookData("no sequence")
        sequence = parse_sequence(snapshot["sequence"])
        sides: list[dict[Decimal, int]] = []
        for name in ("bids", "asks"):
            levels = snapshot.get(name) or []
            if not isinstance(levels, list):
                raise BadBookData(f"{name} is not a list")
            side: dict[Decimal, int] = {}
            for level in levels:
                if not isinstance(level, (list, tuple)) or len(level) < 2:
                    raise BadBookData(f"{name} level {level!r} is not [price, size]")
                price = parse_price(level[0], self.tick_size)
                size = parse_size(level[1])
                if size:  # a level of nothing is no level
                    side[price] = size
            sides.append(side)
        bids, asks = sides
        if bids and asks and max(bids) >= min(asks):
            raise BadBookData(f"crossed: best bid {max(bids)} >= best ask {min(asks)}")
        return sequence, bids, asks

    def _refuse(self, problem: str) -> None:
        self.last_problem = problem
        log.warning("%s %s; resyncing", self.symbol, problem)

    def reset(self) -> None:
        """Forget everything (e.g. the stream reconnected) and wait for a snapshot."""
        self._start_resync()

    def _start_resync(self, pending: tuple[int, str] | None = None) -> None:
        self.state = BookState.SYNCING
        self.resyncs += 1
        self._buffer = [pending] if pending else []
        self.version += 1

    def _apply(self, change: str) -> None:
        parts = change.split(",")
        if len(parts) != 3:
            raise BadBookData("not price,side,size")
        price_text, side, size_text = parts
        if side not in ("buy", "sell"):
            raise BadBookData(f"unknown side {side!r}")
        price = parse_price(price_text, self.tick_size)
        size = parse_size(size_text)
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
