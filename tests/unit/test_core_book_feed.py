"""A leased symbol's book fed the app's way: KuCoin level2 frames through the public stream's
frame router and the adapter's level2 handler, straight into the book core.market_data made
(venue.market.BookChanges). The book stamps the market's freshness once a frame, carries the
venue's time, asks for a snapshot when it cannot apply a change, and hears nothing once the
symbol is dropped. The REST work the lease starts (first ticker, tape, snapshots) is recorded
by the stand-in supervisor, not run: it is not what is tested here."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import orjson

from kcterm.core.contract import Contract
from kcterm.core.journal import Journal
from kcterm.core.market_data import MarketData
from kcterm.venue.kucoin import market_events as parse
from kcterm.venue.kucoin.rest import RestClient
from kcterm.venue.kucoin.venue import KucoinVenue

SYMBOL = "XBTUSDTM"
TOPIC = "/contractMarket/level2:" + SYMBOL


class Spawned:
    """What the session's spawn returns, for work that is only recorded here."""

    def __init__(self, coro: Any, log: list[str]) -> None:
        log.append(coro.__qualname__)
        coro.close()

    def cancel(self) -> None:
        pass


def _market() -> tuple[MarketData, Any, list[str]]:
    venue = KucoinVenue.open(RestClient("http://127.0.0.1:9"))  # never asked anything
    spec = parse.contract_spec({"symbol": SYMBOL, "tickSize": "0.1", "multiplier": 0.001})
    spawned: list[str] = []
    market = MarketData(
        venue.market,
        {SYMBOL: Contract.from_spec(spec)},
        Journal(),
        notify=lambda kind, text: None,
        spawn=lambda coro: Spawned(coro, spawned),  # type: ignore[arg-type,return-value]
        is_connected=lambda: False,
        grace_s=0,
    )
    return market, venue, spawned


def _frame(sequence: int, change: str, stamp: int = 1_700_000_000_123) -> bytes:
    data = {"sequence": sequence, "change": change, "timestamp": stamp}
    return orjson.dumps({"topic": TOPIC, "type": "message", "subject": "level2", "data": data})


def test_the_book_takes_its_frames_straight_and_stamps_the_market_once_each() -> None:
    market, venue, spawned = _market()
    lease = market.lease(SYMBOL, "test")
    book = market.books[SYMBOL]
    assert market.feeds[SYMBOL] is book  # the book is its feed's watch
    snapshot = {"sequence": 10, "bids": [["99.9", 3]], "asks": [["100.1", 4]]}
    assert book.apply_snapshot(parse.book_snapshot(SYMBOL, snapshot)) is False
    stream = next(s for s in venue.public.streams if s.has_topic(TOPIC))
    before = time.monotonic()
    for sequence, change in ((11, "100.0,buy,5"), (12, "99.9,buy,0"), (13, "100.2,sell,7")):
        stream.handle_frame(_frame(sequence, change))
    assert book.bids() == [(Decimal("100.0"), 5)]
    assert book.asks() == [(Decimal("100.1"), 4), (Decimal("100.2"), 7)]
    assert book.sequence == 13 and book.ts_ns == 1_700_000_000_123_000_000
    assert book.messages == 3 and book.cadence_s is not None
    assert market.seen_at(SYMBOL) == book.last_monotonic == market.last_market_monotonic
    assert book.last_monotonic >= before
    assert "MarketData._resync" not in spawned  # live all along: no snapshot asked

    stream.handle_frame(_frame(15, "100.3,sell,1"))  # 14 is missing
    assert not book.is_live and book.resyncs == 1
    assert spawned.count("MarketData._resync") == 1 and market.resyncing == {SYMBOL}

    seen = market.last_market_monotonic
    lease.release()  # the last lease, no grace: dropped and unsubscribed at once
    assert SYMBOL not in market.books and SYMBOL not in market.market_seen
    stream.handle_frame(_frame(16, "100.4,sell,1"))  # in flight: no handler any more
    assert book.messages == 4 and market.last_market_monotonic == seen


def test_an_unreadable_frame_is_a_lost_message_and_asks_for_a_snapshot() -> None:
    market, venue, spawned = _market()
    market.lease(SYMBOL, "test")
    book = market.books[SYMBOL]
    snapshot = {"sequence": 10, "bids": [["99.9", 3]], "asks": [["100.1", 4]]}
    assert book.apply_snapshot(parse.book_snapshot(SYMBOL, snapshot)) is False
    stream = next(s for s in venue.public.streams if s.has_topic(TOPIC))
    stream.handle_frame(_frame(11, "100.0,hold,5"))
    assert not book.is_live and "level2 message refused" in book.last_problem
    assert SYMBOL in market.market_seen and market.resyncing == {SYMBOL}
    assert spawned.count("MarketData._resync") == 1
