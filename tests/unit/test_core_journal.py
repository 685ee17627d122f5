"""Journal lines and the trader's sentences for KuCoin error codes."""

import re

from kcterm.core.journal import EntryKind, Journal, describe_order_update
from kcterm.spec import SPEC_DIR
from kcterm.venue.kucoin.error_words import explain, known_codes
from kcterm.venue.kucoin.errors import KucoinError, TransportError
from kcterm.venue.kucoin.order_events import order_update

REFERENCE = SPEC_DIR / "REFERENCE.md"


def test_error_entry_carries_code_sentence_and_exchange_text() -> None:
    journal = Journal()
    entry = journal.error("Order refused", KucoinError("300003", "Balance insufficient", 200))
    assert entry.kind is EntryKind.ERROR and entry.code == "300003"
    assert "Not enough available balance" in entry.text
    assert "Balance insufficient" in entry.text
    assert journal.errors() == [entry]


def test_transport_errors_and_unknown_codes_read_as_sentences() -> None:
    assert "network" in explain(TransportError("refused").code)
    assert explain("999999", "Something odd") == "Something odd"
    assert "rate-limit" in explain("429000")


def test_journal_is_bounded_and_numbered() -> None:
    journal = Journal(maxlen=3)
    for i in range(5):
        journal.info(f"line {i}")
    assert [e.seq for e in journal.entries] == [3, 4, 5] and journal.version == 5


def test_order_events_in_words() -> None:
    data = {"type": "match", "side": "buy", "orderId": "7", "matchSize": "2"}
    data |= {"matchPrice": "100.5", "liquidity": "maker", "filledSize": "2", "size": "5"}
    assert describe_order_update(order_update(data)).startswith("Fill: buy 2 @ 100.5 (maker)")
    cancelled = {"type": "canceled", "side": "sell", "orderId": "8", "size": "3"}
    assert describe_order_update(order_update(cancelled)) == "Cancelled: sell order 8, 0/3 filled"


def test_every_code_of_the_reference_table_has_a_sentence() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    table = text.split("### Important error codes (futures)", 1)[1].split("\n\n", 1)[0]
    codes = set()
    for cell in re.findall(r"^\| ([0-9 /]+) \|", table, re.MULTILINE):
        codes |= {c.strip() for c in cell.split("/")}
    assert codes and codes <= known_codes(), codes - known_codes()
