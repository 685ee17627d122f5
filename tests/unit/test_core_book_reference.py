"""LevelTwoBook (prices kept as whole ticks, each side a dict and an ordered key list) against
the plainest book there is, a dict per side sorted when asked, over many random changes:
the same levels, the same top-N, the same best prices, on both kinds of book (with a tick:
int keys; without: Decimal keys). Also the level2 frame handler of the adapter, whose fast
path must read exactly what market_events.level2_frame reads."""

from __future__ import annotations

import random
from decimal import Decimal

import orjson
import pytest

from kcterm.core.book import LevelTwoBook
from kcterm.venue.events import BookDelta, Side
from kcterm.venue.kucoin import market_events as parse
from kcterm.venue.kucoin.market_source import _level2_handler
from tests.unit.kucoin_book import increment, load_snapshot

_value_path = increment

D = Decimal


class PlainBook:
    """The reference: a dict per side, price -> size; sorted only when asked."""

    def __init__(self) -> None:
        self.bids: dict[Decimal, int] = {}
        self.asks: dict[Decimal, int] = {}

    def apply(self, side: str, price: Decimal, size: int) -> None:
        levels = self.bids if side == "buy" else self.asks
        if size:
            levels[price] = size
        else:
            levels.pop(price, None)

    def top_bids(self, depth: int | None) -> list[tuple[Decimal, int]]:
        return sorted(self.bids.items(), reverse=True)[:depth]

    def top_asks(self, depth: int | None) -> list[tuple[Decimal, int]]:
        return sorted(self.asks.items())[:depth]

    def would_cross(self, side: str, price: Decimal, size: int) -> bool:
        if not size:
            return False
        if side == "buy":
            return bool(self.asks) and price >= min(self.asks)
        return bool(self.bids) and price <= max(self.bids)


def _same(book: LevelTwoBook, ref: PlainBook) -> None:
    for depth in (None, 0, 1, 10, 500):
        assert book.bids(depth) == ref.top_bids(depth)
        assert book.asks(depth) == ref.top_asks(depth)
    assert book.best_bid() == (ref.top_bids(1)[0] if ref.bids else None)
    assert book.best_ask() == (ref.top_asks(1)[0] if ref.asks else None)
    assert book.level_count() == len(ref.bids) + len(ref.asks)


def _snapshot(ref: PlainBook, sequence: int, tick: Decimal) -> dict[str, object]:
    places = max(0, -tick.as_tuple().exponent)  # type: ignore[operator]
    return {
        "sequence": sequence,
        "bids": [[f"{p:.{places}f}", s] for p, s in ref.top_bids(None)],
        "asks": [[f"{p:.{places}f}", s] for p, s in ref.top_asks(None)],
    }


@pytest.mark.parametrize("path", ["value", "feed"])
@pytest.mark.parametrize("tick", [D("0.1"), D("0.25"), D("1"), None])
def test_random_changes_leave_the_same_book_as_plain_dicts(tick: Decimal | None, path: str) -> None:
    """`value`: each change parsed into a BookDelta and given to on_delta. `feed`: the app's
    path, each change a wire frame read by the adapter's level2 handler and handed to the
    book's BookChanges.change (stamped, a resync asked when it cannot be applied)."""
    rng = random.Random(14)
    grid = tick or D("0.01")
    places = max(0, -grid.as_tuple().exponent)  # type: ignore[operator]
    seen: dict[str, float] = {}
    asked: list[int] = []
    book = LevelTwoBook(
        "X", tick_size=tick, seen=seen, wants_snapshot=lambda: asked.append(book.sequence)
    )
    increment = _value_path
    if path == "feed":
        handle = _level2_handler("X", book)

        def increment(book: LevelTwoBook, sequence: object, change: object) -> bool:
            handle(orjson.loads(orjson.dumps(_frame(sequence, change, 1_700_000_000_000))))
            return not book.is_live

    ref = PlainBook()
    assert load_snapshot(book, _snapshot(ref, 1, grid)) is False
    mid = 4000
    crossings = 0
    for seq in range(2, 20_000):
        mid += rng.choice((-1, 0, 0, 1))  # the market wanders, in ticks
        side = rng.choice(("buy", "sell"))
        away = int(rng.expovariate(0.05))  # most changes near the touch, some far out
        ticks = mid - 1 - away if side == "buy" else mid + 1 + away
        if rng.random() < 0.01:  # now and then one through the other side
            ticks = mid + 3 if side == "buy" else mid - 3
        price = grid * ticks
        size = rng.choice((0, 0, 1, 2, 50, 1234))
        # The venue writes a price its own way: "4000.10", "4000.1" and 4000.1 are one price.
        text = f"{price:.{places + rng.choice((0, 0, 1))}f}"
        if ref.would_cross(side, price, size):
            crossings += 1
            assert increment(book, seq, f"{text},{side},{size}") is True
            assert not book.is_live and "crossed" in book.last_problem
            # The venue's book never crossed: the change took what it reached (we missed
            # those messages), and the snapshot says so.
            ref.apply(side, price, size)
            other = ref.asks if side == "buy" else ref.bids
            for p in [p for p in other if (p <= price if side == "buy" else p >= price)]:
                del other[p]
            assert load_snapshot(book, _snapshot(ref, seq, grid)) is False
        else:
            assert increment(book, seq, f"{text},{side},{size}") is False
            ref.apply(side, price, size)
        if seq % 97 == 0:
            _same(book, ref)
    _same(book, ref)
    assert crossings > 10 and book.resyncs == crossings
    if path == "feed":  # every message stamped once; a resync asked at each crossing
        assert book.messages == 20_000 - 2 and book.last_monotonic is not None
        assert book.last_monotonic > 0 and not seen  # its own time; `seen`: lost ones only
        assert len(asked) == crossings and book.ts_ns == 1_700_000_000_000 * 1_000_000
    else:  # values given to the book are not the feed: no stamp, no resync asked
        assert book.messages == 0 and not seen and not asked


def test_deep_books_keep_order_after_many_changes() -> None:
    rng = random.Random(5)
    book = LevelTwoBook("X", tick_size=D("0.5"))
    ref = PlainBook()
    for n in range(1, 5001):
        ref.bids[D("0.5") * n] = n
        ref.asks[D("0.5") * (n + 6000)] = n
    assert load_snapshot(book, _snapshot(ref, 1, D("0.5"))) is False
    for seq in range(2, 5000):
        side = rng.choice(("buy", "sell"))
        ticks = rng.randint(1, 5999) if side == "buy" else rng.randint(6001, 12000)
        size = rng.choice((0, 3))
        assert increment(book, seq, f"{D('0.5') * ticks},{side},{size}") is False
        ref.apply(side, D("0.5") * ticks, size)
    _same(book, ref)


def test_an_off_tick_change_is_refused_even_for_a_price_seen_before_on_another_grid() -> None:
    fine = LevelTwoBook("X", tick_size=D("0.01"))
    coarse = LevelTwoBook("X", tick_size=D("0.1"))
    snap = {"sequence": 1, "bids": [["99.9", 1]], "asks": [["100.1", 1]]}
    for book in (fine, coarse):
        assert load_snapshot(book, snap) is False
    assert increment(fine, 2, "99.95,buy,3") is False  # on the fine grid: read and kept
    assert increment(coarse, 2, "99.95,buy,3") is True  # the same text, off this grid
    assert "off tick" in coarse.last_problem and not coarse.is_live
    assert fine.bids() == [(D("99.95"), 3), (D("99.9"), 1)]


def test_gaps_and_duplicates_behave_the_same_on_the_fast_path() -> None:
    book = LevelTwoBook("X", tick_size=D("1"))
    assert load_snapshot(book, {"sequence": 10, "bids": [[99, 1]], "asks": [[101, 1]]}) is False
    assert increment(book, 11, "98,buy,2") is False
    assert increment(book, 11, "97,buy,2") is False  # a replay: ignored
    assert increment(book, 9, "97,buy,2") is False  # older still: ignored
    assert book.bids() == [(D(99), 1), (D(98), 2)]
    assert increment(book, 13, "97,buy,2") is True  # 12 is missing
    assert not book.is_live and book.resyncs == 1


def test_many_distinct_prices_outlive_the_remembered_ones() -> None:
    """More prices than the adapter and the book remember: what they forget is read again."""
    book = LevelTwoBook("X", tick_size=D("0.001"))
    assert load_snapshot(book, {"sequence": 1, "bids": [], "asks": [["999", 1]]}) is False
    n = (1 << 16) + 5000
    for i in range(n):
        assert increment(book, i + 2, f"{D(i + 1) / 1000:.3f},buy,1") is False
    assert book.level_count() == n + 1
    assert book.bids(2) == [(D(n) / 1000, 1), (D(n - 1) / 1000, 1)]
    assert book.bids()[-1] == (D("0.001"), 1)


# -- the adapter's level2 handler ---------------------------------------------------------------


def _frame(sequence: object, change: object, timestamp: object = 1) -> dict[str, object]:
    return {
        "topic": "/contractMarket/level2:X",
        "type": "message",
        "subject": "level2",
        "data": {"sequence": sequence, "change": change, "timestamp": timestamp},
    }


def _collect(got: list[BookDelta], symbol: str = "X") -> parse.Change:
    """A BookChanges.change that keeps each change as the BookDelta of its arguments."""
    return lambda *fields: got.append(BookDelta(symbol, *fields))


def test_the_handler_reads_every_frame_exactly_as_level2_frame_does() -> None:
    rng = random.Random(8)
    got: list[BookDelta] = []
    problems: list[str] = []
    handle = parse.level2_handler("X", _collect(got), problems.append)
    for i in range(3000):
        price = f"{rng.randint(1, 3000) / 10:.1f}"
        change = f"{price},{rng.choice(('buy', 'sell'))},{rng.randint(0, 40)}"
        stamp = rng.choice((1_700_000_000_000 + i, 7, "7", None))
        frame = orjson.loads(orjson.dumps(_frame(i, change, stamp)))  # as the wire hands it
        handle(frame)
        assert got[-1] == parse.level2_frame("X", frame)
        assert [type(v) for v in got[-1]] == [str, int, Side, Decimal, int, int]
    assert not problems
    assert got[0].symbol == "X" and got[0].side in (Side.BUY, Side.SELL)
    assert {d.ts_ns for d in got} >= {7_000_000, 0}


@pytest.mark.parametrize(
    "frame",
    [
        _frame(5, "1_00,buy,1"),
        _frame(5, "NaN,buy,1"),
        _frame(5, "100,hold,1"),
        _frame(5, "100,buy,-1"),
        _frame(5, "100,buy"),
        _frame(5, 100),
        _frame(5, None),
        _frame(True, "100,buy,1"),
        _frame(-1, "100,buy,1"),
        _frame("x", "100,buy,1"),
        {"topic": "/contractMarket/level2:X", "data": []},
        {"topic": "/contractMarket/level2:X", "data": "100,buy,1"},
        {"topic": "/contractMarket/level2:X"},
    ],
)
def test_the_handler_refuses_what_level2_frame_refuses(frame: dict[str, object]) -> None:
    # Texts read before must not let a bad frame through the fast path.
    parse.book_delta("X", 1, "100,buy,1")
    got: list[BookDelta] = []
    problems: list[str] = []
    parse.level2_handler("X", _collect(got), problems.append)(frame)
    with pytest.raises(parse.BadMarketData) as refused:
        parse.level2_frame("X", frame)
    assert got == [] and problems == [str(refused.value)]


def test_a_string_sequence_takes_the_checked_path_and_is_read() -> None:
    got: list[BookDelta] = []
    parse.level2_handler("X", _collect(got), pytest.fail)(_frame("19", "3988.5,buy,44"))
    assert got == [BookDelta("X", 19, Side.BUY, D("3988.5"), 44, 1_000_000)]
