"""The journal never takes a known trade id with another side, size or price for the same
fill (issue 12 item 8): it keeps the first, records the conflict, and says so in the journal
the panel shows. The real writer thread and file, nothing mocked."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kcterm.core.journal import EntryKind, Journal
from kcterm.journal_store import JournalRecorder, JournalWriter
from kcterm.venue.kucoin.order_events import order_update
from tests.unit.kucoin_values import as_fill

MATCH = {
    "type": "match",
    "tradeId": "1900000000007",
    "symbol": "XBTUSDTM",
    "side": "buy",
    "matchSize": "2",
    "matchPrice": "60000.50",
    "liquidity": "taker",
    "orderId": "o-1",
    "ts": 1_700_000_000_000_000_000,
}
REST = {
    "tradeId": "1900000000007",
    "symbol": "XBTUSDTM",
    "side": "buy",
    "size": 2,
    "price": "60000.5",
    "fee": "0.072",
    "feeCurrency": "USDT",
    "liquidity": "taker",
    "orderId": "o-1",
    "tradeTime": 1_700_000_000_000_000_000,
}


def contracts(symbol: str) -> tuple[Decimal, bool] | None:
    return (Decimal("0.001"), False) if symbol == "XBTUSDTM" else None


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[JournalWriter]:
    store = JournalWriter(tmp_path / "journal" / "desk.sqlite")
    store.start()
    yield store
    store.close()


def rows(writer: JournalWriter, sql: str) -> list[tuple[Any, ...]]:
    assert writer.flush()
    conn = sqlite3.connect(writer.path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def recorder_on(writer: JournalWriter) -> tuple[JournalRecorder, Journal]:
    journal = Journal()
    recorder = JournalRecorder(writer, contracts, journal=journal)
    journal.add_listener(recorder.on_entry)
    return recorder, journal


def test_the_same_fill_from_feed_and_list_merges_without_a_conflict(
    writer: JournalWriter,
) -> None:
    recorder, journal = recorder_on(writer)
    recorder.on_order_update(order_update(MATCH))  # the bus hands it the feed's fill
    recorder.record_fill(as_fill(REST))  # "60000.5" is the feed's "60000.50"
    assert rows(writer, "SELECT trade_id, source, fee FROM fills") == [
        ("1900000000007", "both", "0.072")
    ]
    assert recorder.conflicts == [] and journal.errors() == []
    assert rows(writer, "SELECT COUNT(*) FROM fill_conflicts") == [(0,)]


def test_a_known_trade_id_with_another_fill_is_kept_apart_and_told(
    writer: JournalWriter,
) -> None:
    recorder, journal = recorder_on(writer)
    recorder.on_order_update(order_update(MATCH))  # the bus hands it the feed's fill
    assert recorder.known_fills["1900000000007"][1] == 2
    reused = {**MATCH, "side": "sell", "matchSize": "5", "matchPrice": "59000.0"}
    recorder.on_order_update(order_update(reused))
    # The first fill stands, untouched; the second is not merged into it.
    assert rows(writer, "SELECT side, size, price, source FROM fills") == [
        ("buy", 2, "60000.50", "feed")
    ]
    assert rows(
        writer, "SELECT trade_id, side, size, price, known_side, known_size FROM fill_conflicts"
    ) == [("1900000000007", "sell", 5, "59000.0", "buy", 2)]
    (told,) = journal.errors()  # the journal panel lists the journal's entries
    assert told.kind is EntryKind.ERROR and told.symbol == "XBTUSDTM"
    assert "1900000000007" in told.text and "buy 2 lots" in told.text
    assert "sell 5 lots" in told.text
    kept = rows(writer, "SELECT kind, text FROM entries WHERE kind = 'error'")
    assert len(kept) == 1 and "Fill conflict" in kept[0][1]  # and the file keeps the line


def test_a_conflict_with_an_earlier_session_is_seen_and_told_once(
    writer: JournalWriter,
) -> None:
    first, _ = recorder_on(writer)
    first.record_fill(as_fill(REST))
    assert writer.flush()
    later, journal = recorder_on(writer)  # kcterm restarted; the exchange reused the id
    lost = {**REST, "size": 3, "price": "61000.0", "orderId": "o-9"}
    for _ in range(3):  # the fill list is fetched again and again
        later.record_fill(as_fill(lost))
    assert len(journal.errors()) == 1 and len(later.conflicts) == 1
    assert rows(writer, "SELECT size, price, order_id FROM fills") == [(2, "60000.5", "o-1")]
    assert rows(writer, "SELECT size, order_id, source FROM fill_conflicts") == [(3, "o-9", "rest")]
