"""Malformed frames are logged and skipped, never raised (property-based, hypothesis).

Beside test_api_frames.py (dispatch never raises): here each bad frame must leave a log line,
must not reach a handler, and bad payloads on a live topic must not corrupt a book."""

from __future__ import annotations

import logging

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from kcterm.core.book import LevelTwoBook
from kcterm.venue.kucoin.market_source import _level2_handler
from kcterm.venue.kucoin.stream import WsStream
from tests.unit.kucoin_book import load_snapshot

TOPIC = "/contractMarket/level2:XBTUSDTM"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record)


async def _never() -> dict:
    raise AssertionError("no connection in these tests")


def _listen() -> Records:
    records = Records()
    logger = logging.getLogger("kcterm.venue.kucoin.stream")
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)
    return records


def _not_json_object(raw: str | bytes) -> bool:
    try:
        return not isinstance(orjson.loads(raw), dict)
    except orjson.JSONDecodeError:
        return True


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120) | st.text(max_size=120))
def test_frames_that_are_not_json_objects_are_logged_and_skipped(raw: str | bytes) -> None:
    records = _listen()
    received: list[dict] = []
    stream = WsStream(_never)
    stream.subscribe(TOPIC, received.append)
    try:
        stream.handle_frame(raw)
    finally:
        logging.getLogger("kcterm.venue.kucoin.stream").removeHandler(records)
    if _not_json_object(raw):
        assert received == []
        assert [r.levelno for r in records.lines] == [logging.WARNING]
        assert "dropping" in records.lines[0].getMessage()


payloads = st.fixed_dictionaries(
    {},
    optional={
        "sequence": st.integers(-5, 10**12) | st.text(max_size=6) | st.none() | st.floats(),
        "change": st.text(max_size=30)
        | st.lists(st.text(max_size=5), max_size=3)
        | st.sampled_from(["100,buy,5", "99.5,sell,0", "1e3,buy,2", "x,y,z", "100,up,1"]),
        "timestamp": st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(payloads, min_size=1, max_size=8))
def test_bad_level2_payloads_are_logged_never_raised_and_never_corrupt_the_book(
    datas: list[dict],
) -> None:
    records = _listen()
    book = LevelTwoBook("XBTUSDTM")
    load_snapshot(book, {"sequence": 10, "bids": [["99", 3]], "asks": [["101", 4]]})

    market = logging.getLogger("kcterm.venue.kucoin.market")
    market.addHandler(records)
    stream = WsStream(_never)
    # The adapter's own level2 handler: the frame is parsed there or refused and logged.
    stream.subscribe(TOPIC, _level2_handler("XBTUSDTM", book))
    try:
        for data in datas:
            stream.handle_frame(orjson.dumps({"type": "message", "topic": TOPIC, "data": data}))
    finally:
        logging.getLogger("kcterm.venue.kucoin.stream").removeHandler(records)
        market.removeHandler(records)
    # Whatever was applied, the book is either consistent or waiting for a snapshot.
    assert not book.is_live or not book.is_crossed()
    if any("sequence" not in d for d in datas):  # the adapter cannot read it: logged
        assert any("level2 message refused" in r.getMessage() for r in records.lines)
        assert not book.is_live  # and the book knows it lost a message
