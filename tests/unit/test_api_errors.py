"""One exception class per kind of KuCoin failure, each with code, msg, status and a sentence."""

from __future__ import annotations

import pickle

import pytest

from kcterm.venue.kucoin.errors import (
    AuthError,
    DuplicateClientOidError,
    ExchangeUnavailableError,
    InsufficientBalanceError,
    InvalidParameterError,
    KucoinError,
    OrderNotFoundError,
    RateLimitError,
    TimestampError,
    TransportError,
    error_for,
)


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("400005", 401, AuthError),
        ("400007", 403, AuthError),
        ("400002", 401, TimestampError),
        ("429000", 429, RateLimitError),
        ("300003", 200, InsufficientBalanceError),
        ("400100", 400, InvalidParameterError),
        ("100001", 200, InvalidParameterError),
        ("100004", 200, OrderNotFoundError),
        ("300018", 200, DuplicateClientOidError),
        ("503000", 503, ExchangeUnavailableError),
        ("500000", 500, ExchangeUnavailableError),
        ("599999", 502, ExchangeUnavailableError),  # unknown code: the status decides
        ("777", 429, RateLimitError),
        ("300009", 200, KucoinError),
    ],
)
def test_codes_map_to_their_kind(code: str, status: int, kind: type[KucoinError]) -> None:
    err = error_for(code, "exchange text", status, method="POST", path="/api/v1/orders")
    assert type(err) is kind
    assert (err.code, err.msg, err.http_status) == (code, "exchange text", status)
    assert err.trader_text.endswith(".") and len(err.trader_text) > 20
    assert "exchange text" in str(err) and "POST /api/v1/orders" in str(err)


def test_only_unknown_outcomes_are_ambiguous() -> None:
    assert error_for("503000", "", 503).ambiguous
    assert TransportError("ReadTimeout: timed out").ambiguous
    assert not error_for("429000", "", 429).ambiguous
    assert not error_for("400002", "", 401).ambiguous
    assert not error_for("300018", "", 200).ambiguous


def test_sentences_differ_per_kind() -> None:
    kinds = [
        AuthError, TimestampError, RateLimitError, InsufficientBalanceError,
        InvalidParameterError, OrderNotFoundError, DuplicateClientOidError,
        ExchangeUnavailableError,
    ]  # fmt: skip
    assert len({kind.explanation for kind in kinds}) == len(kinds)


def test_subclasses_survive_pickling() -> None:
    err = error_for("300018", "dup", 200, method="POST", path="/x")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is DuplicateClientOidError and back.path == "/x"
    transport = pickle.loads(pickle.dumps(TransportError("reset", method="GET", path="/y")))
    assert type(transport) is TransportError and transport.code == "transport"
