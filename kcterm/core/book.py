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

How it is kept (the hot path is one delta per level2 message, thousands a second): a book
with a tick keeps prices as whole ticks (ints), Decimal only at its edge. A price is turned
into ticks once (checked against the grid there) and remembered, so a level seen before
costs one dict lookup. Each side is a dict ticks -> size and a plain list of its ticks in
order with the best price last (asks as negated ticks), so a size change is a dict write, a
new or emptied level a bisect into the list near its end (most changes are near the touch),
and the best price the list's last item. Queries turn ticks back into Decimals (tick * n).
Without a tick (tests) the keys are the Decimals themselves, by the same code.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left, insort
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import Any

from kcterm.core.feed_watch import FeedWatch
from kcterm.venue.events import BookDelta, BookSnapshot, Side

log = logging.getLogger("kcterm.core.book")

Level = tuple[Decimal, int]
_BY_SEQUENCE = attrgetter("sequence")
_BUY = Side.BUY
_monotonic = time.monotonic
# Prices remembered per book (price -> ticks); forgotten all at once beyond this many, which
# only costs the next changes a check each (a book rarely visits this many prices).
_MAX_REMEMBERED = 1 << 14


class BadBookData(ValueError):
    """A level or a snapshot that the contract rules out; the message says what and why."""


class BookState(StrEnum):
    SYNCING = "syncing"  # waiting for a snapshot, deltas buffered
    LIVE = "live"


_LIVE = BookState.LIVE
# Below every key: the first item of each side's key list (ints compare fast with a float).
_BEYOND_TICKS = float("-inf")
_BEYOND_PRICES = Decimal("-Infinity")


def _nothing() -> None:
    pass


class LevelTwoBook(FeedWatch):
    """Bids and asks as price -> size maps with their prices kept in order; also the watch
    of the feed that changes it (core.feed_watch: its cadence and staleness).

    Fed by the venue (venue.market.BookChanges: `change`, `lost`), each message stamps the
    watch (its time and count); one it could not read stamps `seen[symbol]` (the market's
    other last-message times, core.market_data; the book's own dict without one). A book
    left needing a snapshot calls `wants_snapshot` (core.market_data starts a resync).
    `on_delta`/`apply` take a change without either (tests, the buffer's replay).
    """

    def __init__(
        self,
        symbol: str,
        *,
        tick_size: Decimal | None = None,
        max_buffer: int = 50_000,
        seen: dict[str, float] | None = None,
        wants_snapshot: Callable[[], object] = _nothing,
    ) -> None:
        super().__init__(_monotonic())  # the feed is asked for with its book
        self.symbol = symbol
        self._seen: dict[str, float] = {} if seen is None else seen
        self._wants_snapshot = wants_snapshot
        # The contract's tick: prices off its grid are refused (None: not checked).
        self.tick_size = tick_size if tick_size is not None and tick_size > 0 else None
        self.last_problem = ""  # why the last message or snapshot was refused, in words
        # The hot path reads one number to know a change is the next one of a live book:
        # `_next`, the sequence it expects (-1 while syncing: no sequence is). `sequence`,
        # `state` and `version` are kept through it (their properties below): the sequence
        # of a live book is _next - 1, and the version moves with _next (one applied change,
        # one step of each), plus `_bumps`, what else moved it.
        self._next = -1
        self._held = 0  # the sequence while syncing
        self._bumps = 1
        self._state = BookState.SYNCING
        self.ts_ns = 0  # the venue's time of the newest change applied (0: not given)
        self.resyncs = 0
        # Keys: whole ticks (int) with a tick, the price itself without; asks negated, so
        # that on both sides the best level is the last of its ordered list.
        self._bid_sizes: dict[Any, int] = {}
        self._ask_sizes: dict[Any, int] = {}
        # Ascending, best last: bids by price, asks by negated price. Each starts with a
        # sentinel below every key (so neither is ever empty and never crosses the other).
        self._beyond: Any = _BEYOND_PRICES if self.tick_size is None else _BEYOND_TICKS
        self._bid_keys: list[Any] = [self._beyond]
        self._ask_keys: list[Any] = [self._beyond]
        self._ticks: dict[Decimal, Any] = {}  # price -> its key, for prices on the grid
        self._prices: dict[Any, Decimal] = {}  # key (as a bid) -> price, for the queries
        self._buffer: list[BookDelta] = []
        self._max_buffer = max_buffer

    # -- feed ------------------------------------------------------------------------------

    def on_delta(self, delta: BookDelta) -> bool:
        """Take one change as a value. Returns True when the book needs a fresh snapshot."""
        _, sequence, side, price, size, ts_ns = delta
        return self.change(sequence, side, price, size, ts_ns, False)

    def apply(self, sequence: int, side: Side, price: Decimal, size: int, ts_ns: int = 0) -> bool:
        """on_delta with the change's fields as arguments (no feed stamp, no resync asked)."""
        return self.change(sequence, side, price, size, ts_ns, False)

    def change(
        self, sequence: int, side: Side, price: Decimal, size: int, ts_ns: int, fed: bool = True
    ) -> bool:
        """venue.market.BookChanges.change: one change straight from the feed, the hot path.
        `fed` (the feed's call): the message is stamped first (this feed watch's time and
        count), and a book left not live asks for a snapshot (`wants_snapshot`).
        Returns True when the book needs a fresh snapshot."""
        if fed:
            # The feed watch's stamp: the message's time and its count, no more (the cadence
            # is learnt from them when read, core.feed_watch).
            self.last_monotonic = _monotonic()
            self.messages += 1
        if sequence != self._next:  # not the next change of a live book
            delta = BookDelta(self.symbol, sequence, side, price, size, ts_ns)
            return self._settle(self._out_of_line(delta), fed)
        key = self._ticks.get(price)
        if key is None:
            key = self._key_of(price)
            if key is None:
                # A change we cannot trust is a change we lost: the book is no longer the
                # venue's.
                self._refuse(
                    f"level2 change at {sequence} refused: price {price} is off tick "
                    f"{self.tick_size}"
                )
                self._start_resync()
                return self._settle(True, fed)
        if side is _BUY:
            sizes = self._bid_sizes
            if size:
                if key not in sizes:
                    # A new level. The book was not crossed before; a bid can only cross it
                    # by reaching the ask (a size change of a resting bid cannot). The lists
                    # start with a sentinel beyond every price, so neither is ever empty.
                    if key >= -self._ask_keys[-1]:
                        return self._settle(self._crossed(sequence), fed)
                    insort(self._bid_keys, key)
                sizes[key] = size
            elif sizes.pop(key, None) is not None:
                keys = self._bid_keys
                del keys[bisect_left(keys, key)]
        else:
            sizes = self._ask_sizes
            key = -key
            if size:
                if key not in sizes:
                    if -key <= self._bid_keys[-1]:
                        return self._settle(self._crossed(sequence), fed)
                    insort(self._ask_keys, key)
                sizes[key] = size
            elif sizes.pop(key, None) is not None:
                keys = self._ask_keys
                del keys[bisect_left(keys, key)]
        self._next = sequence + 1  # the sequence, and the version, one step on
        self.ts_ns = ts_ns
        return False

    def _settle(self, needs_snapshot: bool, fed: bool) -> bool:
        """A change off the hot path: a fed book not live now asks for its snapshot (a
        syncing book always has one on the way, not only after a 50,000-change buffer)."""
        if fed and (needs_snapshot or self.state is not _LIVE):
            self._wants_snapshot()
        return needs_snapshot

    def _out_of_line(self, delta: BookDelta) -> bool:
        """A delta the hot path does not apply: buffered while syncing, a duplicate, a gap."""
        sequence = delta.sequence
        if self.state is not _LIVE:
            if len(self._buffer) >= self._max_buffer:
                # A snapshot that never comes must not grow memory without bound.
                self._buffer.clear()
                return True
            self._buffer.append(delta)
            return False
        if sequence <= self.sequence:
            return False  # a duplicate or a late replay: already in the book
        log.warning(
            "%s level2 gap: have %d, got %d; resyncing", self.symbol, self.sequence, sequence
        )
        self._start_resync(pending=delta)
        return True

    def _key_of(self, price: Decimal) -> Any:
        """The key of a price (as a bid), remembered; None when it is off the tick grid."""
        tick = self.tick_size
        if tick is None:
            key: Any = price
        else:
            try:
                ticks, rest = divmod(price, tick)
            except ArithmeticError:  # beyond any precision: no price of this contract
                return None
            if rest:
                return None
            key = int(ticks)
        ticks_of, prices = self._ticks, self._prices
        if len(ticks_of) >= _MAX_REMEMBERED:
            ticks_of.clear()
            prices.clear()
        ticks_of[price] = key
        prices.setdefault(key, price)
        return key

    def _price_of(self, key: Any) -> Decimal:
        """The price of a key (as a bid)."""
        price = self._prices.get(key)
        if price is None:
            tick = self.tick_size
            price = self._prices[key] = key if tick is None else tick * key
        return price

    def lost(self, problem: str) -> bool:
        """A message of this book could not be read (venue.market.BookChanges.lost): what it
        changed is unknown, so the book must be fetched again (`wants_snapshot` is told).
        Returns True (a snapshot is needed)."""
        self._seen[self.symbol] = _monotonic()
        self._refuse(problem)
        if self.state is BookState.LIVE:
            self._start_resync()
        self._wants_snapshot()
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
        self._bid_sizes = bids
        self._ask_sizes = {-key: size for key, size in asks.items()}
        self._bid_keys = [self._beyond, *sorted(bids)]
        self._ask_keys = [self._beyond, *sorted(self._ask_sizes)]
        self.sequence = snapshot.sequence
        self.last_problem = ""
        buffered, self._buffer = sorted(self._buffer, key=_BY_SEQUENCE), []
        self.state = BookState.LIVE
        self.version += 1
        for delta in buffered:
            if self.on_delta(delta):
                return True
        return False

    def _check_snapshot(self, snapshot: BookSnapshot) -> tuple[dict[Any, int], ...]:
        """Both sides keyed as bids (the caller negates the asks'); refused whole when a
        price is off the grid or the book is crossed."""
        sides: list[dict[Any, int]] = []
        for name, levels in (("bids", snapshot.bids), ("asks", snapshot.asks)):
            side: dict[Any, int] = {}
            for price, size in levels:
                key = self._ticks.get(price)
                if key is None:
                    key = self._key_of(price)
                    if key is None:
                        raise BadBookData(
                            f"{name}: price {price} is not on the tick grid of {self.tick_size}"
                        )
                if size:
                    side[key] = size
            sides.append(side)
        bids, asks = sides
        if bids and asks and max(bids) >= min(asks):
            best_bid, best_ask = self._price_of(max(bids)), self._price_of(min(asks))
            raise BadBookData(f"crossed: best bid {best_bid} >= best ask {best_ask}")
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

    # -- the numbers the hot path keeps as one ----------------------------------------------

    @property
    def sequence(self) -> int:
        """The sequence of the newest change applied (or of the snapshot)."""
        return self._next - 1 if self._state is _LIVE else self._held

    @sequence.setter
    def sequence(self, sequence: int) -> None:
        version = self.version
        self._held = sequence
        if self._state is _LIVE:
            self._next = sequence + 1
        self.version = version

    @property
    def state(self) -> BookState:
        return self._state

    @state.setter
    def state(self, state: BookState) -> None:
        version, sequence = self.version, self.sequence
        self._state = state
        self._held = sequence
        self._next = sequence + 1 if state is _LIVE else -1
        self.version = version

    @property
    def version(self) -> int:
        """Bumped on every visible change; the UI repaints when it moves."""
        return self._next + self._bumps

    @version.setter
    def version(self, version: int) -> None:
        self._bumps = version - self._next

    # -- queries ---------------------------------------------------------------------------

    @property
    def is_live(self) -> bool:
        return self._state is _LIVE

    def bids(self, depth: int | None = None) -> list[Level]:
        """The best `depth` bids (all without a depth), best first."""
        keys = self._bid_keys
        sizes, price_of = self._bid_sizes, self._price_of
        return [(price_of(key), sizes[key]) for key in keys[: _stop(keys, depth) : -1]]

    def asks(self, depth: int | None = None) -> list[Level]:
        """The best `depth` asks (all without a depth), best first."""
        keys = self._ask_keys
        sizes, price_of = self._ask_sizes, self._price_of
        return [(price_of(-key), sizes[key]) for key in keys[: _stop(keys, depth) : -1]]

    def best_bid(self) -> Level | None:
        keys = self._bid_keys
        return (self._price_of(keys[-1]), self._bid_sizes[keys[-1]]) if len(keys) > 1 else None

    def best_ask(self) -> Level | None:
        keys = self._ask_keys
        return (self._price_of(-keys[-1]), self._ask_sizes[keys[-1]]) if len(keys) > 1 else None

    def spread(self) -> Decimal | None:
        bid, ask = self.best_bid(), self.best_ask()
        return ask[0] - bid[0] if bid and ask else None

    def is_crossed(self) -> bool:
        bid, ask = self.best_bid(), self.best_ask()
        return bool(bid and ask and bid[0] >= ask[0])

    def level_count(self) -> int:
        """Levels on both sides."""
        return len(self._bid_sizes) + len(self._ask_sizes)


def _stop(keys: list[Any], depth: int | None) -> int:
    """Where a reversed slice of `keys` stops to give the best `depth` (never the sentinel)."""
    if depth is None:
        return 0
    return max(len(keys) - 1 - depth, 0)
