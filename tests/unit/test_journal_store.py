"""The on-disk journal: rows from the in-memory journal, fills, funding and discrepancies,
written on the writer's thread, durable across a crash (WAL), and never holding a secret."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from kcterm.core.journal import Journal
from kcterm.journal_store import JournalRecorder, JournalWriter, journal_path
from kcterm.logging_setup import REDACTOR
from kcterm.venue.kucoin.errors import KucoinError

MATCH = {
    "type": "match",
    "tradeId": "t-1",
    "symbol": "XBTUSDTM",
    "side": "buy",
    "matchSize": "2",
    "matchPrice": "60000.5",
    "liquidity": "taker",
    "orderId": "o-1",
    "ts": 1_700_000_000_000_000_000,
}


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[JournalWriter]:
    store = JournalWriter(tmp_path / "journal" / "desk.sqlite")
    store.start()
    yield store
    store.close()


def rows(writer: JournalWriter, sql: str) -> list[tuple]:
    assert writer.flush()
    conn = sqlite3.connect(writer.path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def contracts(symbol: str) -> tuple[Decimal, bool] | None:
    return (Decimal("0.001"), False) if symbol == "XBTUSDTM" else None


def test_every_journal_line_is_written_with_the_secret_redacted(writer: JournalWriter) -> None:
    REDACTOR.add("a-secret-in-text-42")
    recorder = JournalRecorder(writer, contracts)
    journal = Journal()
    journal.add_listener(recorder.on_entry)
    journal.action("Place buy 1 XBTUSDTM", "XBTUSDTM")
    journal.reply("Accepted: order o-1", "XBTUSDTM")
    journal.error("Order refused", KucoinError("300003", "Balance insufficient", 200), "XBTUSDTM")
    journal.info("note with a-secret-in-text-42")
    got = rows(writer, "SELECT kind, symbol, code, text, session FROM entries ORDER BY id")
    assert [r[0] for r in got] == ["action", "reply", "error", "info"]
    assert got[2][2] == "300003" and "Not enough available balance" in got[2][3]
    assert got[3][3] == "note with «redacted»"
    assert {r[4] for r in got} == {recorder.session_id}
    assert rows(writer, "PRAGMA journal_mode") == [("wal",)]


def test_feed_fill_then_fill_list_merge_into_one_row_with_fee(writer: JournalWriter) -> None:
    recorder = JournalRecorder(writer, contracts)
    hints: list[int] = []
    recorder.fill_listeners.append(lambda: hints.append(1))
    journal = Journal()
    journal.add_listener(recorder.on_entry)
    journal.event("Fill: buy 2 @ 60000.5", "XBTUSDTM", data=MATCH)
    assert hints == [1] and recorder.feed_trade_ids == {"t-1": 1_700_000_000.0}
    fill = ("t-1", 1_700_000_000.0, "XBTUSDTM", "buy", 2, "60000.5", "0.001", 0, None, "")
    assert rows(writer, "SELECT * FROM fills")[0][:10] == fill
    rest = {**MATCH, "size": 2, "price": "60000.5", "fee": "0.072", "feeCurrency": "USDT"}
    rest["tradeTime"] = rest.pop("ts")
    recorder.rest_fill(rest)
    recorder.rest_fill(rest)  # the fill list repeats itself: still one row
    got = rows(writer, "SELECT trade_id, fee, fee_currency, source FROM fills")
    assert got == [("t-1", "0.072", "USDT", "both")]


def test_funding_and_discrepancies_from_journal_data(writer: JournalWriter) -> None:
    recorder = JournalRecorder(writer, contracts)
    journal = Journal()
    journal.add_listener(recorder.on_entry)
    item = {
        "id": 7,
        "symbol": "XBTUSDTM",
        "timePoint": 1_700_000_000_000,
        "fundingRate": 0.0001,
        "markPrice": 60000,
        "positionQty": 3,
        "funding": -0.018,
        "settleCurrency": "USDT",
    }
    from kcterm.core.journal import EntryKind

    journal.add(EntryKind.INFO, "Funding paid", symbol="XBTUSDTM", data={"funding": item})
    journal.add(EntryKind.INFO, "Funding paid", symbol="XBTUSDTM", data={"funding": item})
    journal.add(EntryKind.ERROR, "Orders differ", symbol="ETHUSDTM", data={"discrepancy": "o-9"})
    assert rows(writer, "SELECT id, at, amount, position_qty, currency FROM funding") == [
        ("XBTUSDTM:7", 1_700_000_000.0, "-0.018", 3, "USDT")
    ]
    assert rows(writer, "SELECT symbol, what FROM discrepancies") == [("ETHUSDTM", "o-9")]


def test_a_crash_loses_nothing_that_was_committed(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    # A process that journals, waits for the commit, then dies without closing anything.
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from kcterm.journal_store import JournalWriter
        writer = JournalWriter(Path({str(path)!r}))
        writer.start()
        for i in range(500):
            writer.execute(
                "INSERT INTO entries(at, session, kind, symbol, code, text) "
                "VALUES (?, 's', 'info', '', '', ?)", (i, f"line {{i}}"))
        assert writer.flush()
        os._exit(3)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert done.returncode == 3, done.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*), max(text) FROM entries").fetchone() == (500, "line 99")
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_bad_statement_is_counted_and_the_journal_goes_on(writer: JournalWriter) -> None:
    writer.execute("INSERT INTO nowhere VALUES (1)")
    writer.execute("INSERT INTO discrepancies(at, symbol, what) VALUES (1, '', 'still here')")
    assert rows(writer, "SELECT what FROM discrepancies") == [("still here",)]
    assert writer.errors == 1 and writer.written == 1


def test_one_file_per_profile_in_the_data_dir(tmp_path: Path) -> None:
    assert journal_path("PRACTICE", tmp_path) == tmp_path / "journal" / "practice.sqlite"
    assert journal_path("LAB_SIM", tmp_path) != journal_path("KUCOIN", tmp_path)
    broken = JournalWriter(tmp_path)  # a directory, not a file: it cannot be opened
    with pytest.raises(RuntimeError, match="cannot open the journal"):
        broken.start()
