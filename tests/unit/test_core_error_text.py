"""The exchange's words reach the trader: KuCoin's code and message verbatim beside our sentence
(issue 10 item 10: the reason was rewritten as "code 300000")."""

from __future__ import annotations

from kcterm.core.error_text import order_refusal, refusal_text
from kcterm.venue.kucoin.error_words import exchange_words, explain
from kcterm.venue.kucoin.errors import NotPlacedError, TransportError, error_for

POST_ONLY = "postOnly order would take liquidity; order rejected"


def test_a_known_code_reads_code_then_kucoins_words_then_ours() -> None:
    text = exchange_words("300000", POST_ONLY)
    assert text == f"300000 · {POST_ONLY} — {explain('300000')}"


def test_an_unknown_code_keeps_kucoins_words_and_a_code_without_words_our_sentence() -> None:
    assert exchange_words("999999", "Something odd") == "999999 · Something odd"
    assert exchange_words("300003", "") == f"300003 — {explain('300003')}"
    assert exchange_words(300000, "  spaced  ") == f"300000 · spaced — {explain('300000')}"


def test_kcterms_own_verdicts_are_not_dressed_as_exchange_codes() -> None:
    lost = TransportError("ClientConnectorError: refused")
    assert refusal_text(lost) == f"{explain('transport')} (ClientConnectorError: refused)"
    gave_up = NotPlacedError("Order buy 1 XBTUSDTM NOT placed: kcterm stopped (abandoned)")
    assert order_refusal(gave_up) == gave_up.msg
    assert "not-placed" not in order_refusal(gave_up)


def test_the_tickets_line_for_a_refusal_names_the_exchange() -> None:
    exc = error_for("300000", POST_ONLY, 200)
    assert order_refusal(exc) == f"Rejected by the exchange: 300000 · {POST_ONLY} — " + explain(
        "300000"
    )
