"""Realised PnL (average cost) and `kcterm journal export` to CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from kcterm.app import main as kcterm_main
from kcterm.journal_store import JournalRecorder, JournalWriter, export_csv, journal_path
from kcterm.journal_store.export import parse_since
from kcterm.journal_store.pnl import PnlBook
from kcterm.venue.events import Fill
from tests.unit.kucoin_values import as_fill, as_funding

D = Decimal
DAY = 86_400.0
T0 = 1_714_521_600.0  # 2024-05-01T00:00:00Z


def test_average_cost_pnl_through_adds_partial_closes_and_a_flip() -> None:
    book = PnlBook()
    mult = D("0.001")
    assert book.fill("X", "buy", 2, D(100), mult) == 0
    assert book.fill("X", "buy", 2, D(110), mult) == 0
    assert book.positions["X"].entry == 105
    assert book.fill("X", "sell", 3, D(120), mult) == D("0.045")  # 3 x 0.001 x (120 - 105)
    # 1 lot left long at 105: selling 3 at 100 closes it (-0.005) and opens 2 short at 100.
    assert book.fill("X", "sell", 3, D(100), mult) == D("-0.005")
    assert (book.positions["X"].qty, book.positions["X"].entry) == (-2, 100)
    assert book.fill("X", "buy", 2, D(90), mult) == D("0.020")  # short profits when it falls
    assert book.positions["X"].qty == 0


def test_inverse_contract_pnl_is_in_the_coin() -> None:
    book = PnlBook()
    book.fill("XBTUSDM", "buy", 100, D(50_000), D(1), inverse=True)
    pnl = book.fill("XBTUSDM", "sell", 100, D(40_000), D(1), inverse=True)
    assert pnl == 100 * (D(1) / 50_000 - D(1) / 40_000)  # a loss of 0.0005 XBT


def fill(trade: str, at: float, side: str, size: int, price: str, fee: str) -> Fill:
    return as_fill(
        {
            "tradeId": trade,
            "symbol": "XBTUSDTM",
            "side": side,
            "size": size,
            "price": price,
            "fee": fee,
            "feeCurrency": "USDT",
            "liquidity": "taker",
            "orderId": f"o-{trade}",
            "tradeTime": int(at * 1e9),
        }
    )


def make_journal(path: Path) -> None:
    writer = JournalWriter(path)
    writer.start()
    recorder = JournalRecorder(writer, lambda s: (D("0.001"), False))
    recorder.record_fill(fill("a", T0 - DAY, "buy", 10, "60000", "0.36"))  # before --since
    recorder.record_fill(fill("b", T0 + 60, "sell", 4, "61000", "0.1464"))
    recorder.record_fill(fill("c", T0 + 120, "sell", 6, "59000", "0.2124"))
    recorder.record_funding(
        as_funding(
            {
                "id": 1,
                "symbol": "XBTUSDTM",
                "timePoint": int((T0 + 90) * 1000),
                "fundingRate": 0.0001,
                "markPrice": 60500,
                "positionQty": 6,
                "funding": "-0.0363",
                "settleCurrency": "USDT",
            }
        )
    )
    assert writer.flush()
    writer.close()


def test_export_writes_fills_with_pnl_and_funding_since_a_date(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    make_journal(path)
    out = io.StringIO()
    summary = export_csv(path, out, parse_since("2024-05-01"))
    lines = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["type"], r["trade_id"]) for r in lines] == [
        ("fill", "b"),
        ("funding", ""),
        ("fill", "c"),
    ]
    # Fill "a" opened the position before --since; "b" and "c" close it against its 60000 entry.
    assert lines[0]["realised_pnl"] == "4" and lines[2]["realised_pnl"] == "-6"
    assert lines[1]["funding"] == "-0.0363" and lines[1]["symbol"] == "XBTUSDTM"
    assert lines[0]["time_utc"] == "2024-05-01T00:01:00.000+00:00"
    assert lines[2]["fee"] == "0.2124" and lines[2]["currency"] == "USDT"
    assert summary.fills == 2 and summary.realised_pnl == -2
    assert summary.fees == D("0.3588") and summary.funding_total == D("-0.0363")


def test_journal_export_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    make_journal(journal_path("PRACTICE", tmp_path / "data" / "kcterm"))
    out = tmp_path / "fills.csv"
    argv = ["journal", "export", "--profile", "practice", "--since", "2024-05-01T00:01:45"]
    assert kcterm_main([*argv, "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["trade_id"] for r in rows if r["type"] == "fill"] == ["c"]
    assert "1 fills, 0 funding payments; realised PnL -6" in capsys.readouterr().err
    assert kcterm_main(["journal", "export", "--profile", "kucoin", "--csv", str(out)]) == 1
    assert "no journal yet" in capsys.readouterr().err
    assert kcterm_main(["journal", "export", "--since", "May 1st", "--csv", str(out)]) == 2
    assert "--since: a date like 2024-05-01" in capsys.readouterr().err
    assert kcterm_main(["journal", "export", "--profile", "nope", "--csv", str(out)]) == 2
