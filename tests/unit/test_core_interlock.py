"""The stale-feed interlock's rules."""

from kcterm.core.interlock import FeedFacts, evaluate


def facts(**kw: object) -> FeedFacts:
    base = {
        "public_state": "connected",
        "private_state": "connected",
        "book_live": True,
        "market_age": 0.5,
    }
    base.update(kw)
    return FeedFacts(**base)  # type: ignore[arg-type]


def test_open_when_everything_is_fresh() -> None:
    assert evaluate(facts(), 3.0).open


def test_each_reason_closes_the_gate_with_words() -> None:
    cases = {
        "Market feed reconnecting": facts(public_state="reconnecting"),
        "Order feed disconnected": facts(private_state="disconnected"),
        "Waiting for market data": facts(market_age=None),
        "Order book resyncing": facts(book_live=False),
        "Market data stale (9 s old)": facts(market_age=9.2),
    }
    for words, case in cases.items():
        gate = evaluate(case, 3.0)
        assert not gate.open and gate.reason.startswith(words), gate.reason


def test_the_feed_cadence_sets_the_limit_unless_the_caller_does() -> None:
    busy = facts(market_age=4.0, usual_stale_after=3.0)
    assert not evaluate(busy).open  # a busy book silent for 4 s is stale
    quiet = facts(market_age=4.0, usual_stale_after=20.0)
    assert evaluate(quiet).open  # a quiet contract is not
    assert not evaluate(quiet, 2.0).open  # an explicit limit wins
    assert not evaluate(facts(market_age=6.0)).open  # no cadence yet: the default 5 s
