"""Matching rules of the embedded exchange on worked examples: price-time priority, partial
fills, IOC, post-only, self-trade prevention, and the level2 changes every step emits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.engine import Engine
from kcterm.sim.errors import SimError
from kcterm.sim.specs import CONTRACTS

SYMBOL = "XBTUSDTM"


class Recorder:
    """A Publisher that listens to everything and keeps the frames in order."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, str, Any, str | None]] = []

    def wants(self, topic: str, user_id: str | None = None) -> bool:
        return True

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        self.frames.append((topic, subject, data, user_id))

    def of(self, prefix: str, user: str | None = None) -> list[Any]:
        return [
            d for t, _, d, u in self.frames if t.startswith(prefix) and (user is None or u == user)
        ]

    def clear(self) -> None:
        self.frames.clear()


@pytest.fixture
def feed() -> Recorder:
    return Recorder()


@pytest.fixture
def engine(feed: Recorder) -> Engine:
    exchange = Engine(CONTRACTS, feed, Clock())
    for user in ("alice", "bob", "carol", "dave"):
        exchange.clearing.open_account(user, Decimal(1_000_000))
    return exchange


_oids = iter(range(10**6))


def order(
    engine: Engine, user: str, side: str, size: int, price: str | None = None, **extra: Any
) -> Any:
    body: dict[str, Any] = {
        "clientOid": f"c{next(_oids)}",
        "symbol": SYMBOL,
        "side": side,
        "size": size,
        "leverage": 5,
    }
    if price is None:
        body["type"] = "market"
    else:
        body.update(type="limit", price=price)
    body.update(extra)
    return engine.place(user, body)


def test_price_time_priority_and_partial_fills(engine: Engine, feed: Recorder) -> None:
    first = order(engine, "alice", "sell", 5, "91250.0")
    second = order(engine, "bob", "sell", 5, "91250.0")
    better = order(engine, "carol", "sell", 2, "91249.9")
    taker = order(engine, "dave", "buy", 9, "91250.0")
    # The better price goes first, then the older order at the same price, then the newer.
    assert (better.filled, first.filled, second.filled) == (2, 5, 2)
    assert taker.filled == 9 and taker.status == "done"
    assert second.remaining == 3 and second.is_active
    # (2 * 91249.9 + 7 * 91250.0) / 9 = 91249.977..., shown to a thousandth of a tick
    assert taker.avg_deal_price() == Decimal("91249.9778")
    trades = feed.of("/contractMarket/execution")
    assert [(t["price"], t["size"], t["makerOrderId"]) for t in trades] == [
        ("91249.9", 2, better.order_id),
        ("91250.0", 5, first.order_id),
        ("91250.0", 2, second.order_id),
    ]
    assert engine.markets[SYMBOL].book.depth("sell") == [(912500, 3)]


def test_each_level_change_is_one_message_with_the_next_sequence(
    engine: Engine, feed: Recorder
) -> None:
    start = engine.markets[SYMBOL].sequence
    order(engine, "alice", "buy", 3, "90000.0")
    order(engine, "alice", "buy", 4, "90000.0")
    order(engine, "bob", "sell", 5, "90000.0")
    changes = feed.of("/contractMarket/level2")
    assert [c["change"] for c in changes] == [
        "90000.0,buy,3",
        "90000.0,buy,7",
        "90000.0,buy,4",
        "90000.0,buy,2",
    ]
    assert [c["sequence"] for c in changes] == list(range(start + 1, start + 5))
    assert engine.markets[SYMBOL].snapshot()["sequence"] == start + 4


def test_private_events_tell_the_order_story(engine: Engine, feed: Recorder) -> None:
    maker = order(engine, "alice", "sell", 4, "91000.0")
    order(engine, "bob", "buy", 4, "91000.0")
    story = [
        (e["type"], e["status"], e.get("matchSize"))
        for e in feed.of("/contractMarket/tradeOrders:", "alice")
    ]
    assert story == [("open", "open", None), ("match", "open", "4"), ("filled", "done", None)]
    taker_story = [(e["type"], e["status"]) for e in feed.of("/contractMarket/tradeOrders:", "bob")]
    assert taker_story == [("match", "match"), ("filled", "done")]
    assert engine.orders[maker.order_id].to_api()["filledSize"] == 4
    assert all(isinstance(e["size"], str) for e in feed.of("/contractMarket/tradeOrders"))


def test_ioc_cancels_what_does_not_fill_and_market_orders_never_rest(engine: Engine) -> None:
    order(engine, "alice", "sell", 2, "91000.0")
    ioc = order(engine, "bob", "buy", 5, "91000.0", timeInForce="IOC")
    assert (ioc.filled, ioc.canceled, ioc.status) == (2, 3, "done")
    order(engine, "alice", "sell", 1, "91000.0")
    market = order(engine, "bob", "buy", 4)
    assert (market.filled, market.canceled, market.status) == (1, 3, "done")
    assert engine.markets[SYMBOL].book.depth("sell") == []


def test_a_market_order_with_nothing_to_take_is_refused(engine: Engine) -> None:
    with pytest.raises(SimError) as info:
        order(engine, "bob", "buy", 1)
    assert info.value.code == "300008"


def test_post_only_that_would_take_is_rejected_whole(engine: Engine) -> None:
    order(engine, "alice", "sell", 2, "91000.0")
    with pytest.raises(SimError) as info:
        order(engine, "bob", "buy", 1, "91000.0", postOnly=True)
    assert info.value.code == "300000"
    resting = order(engine, "bob", "buy", 1, "90999.9", postOnly=True)
    assert resting.is_active and resting.filled == 0


@pytest.mark.parametrize(
    ("stp", "maker_left", "taker_filled"),
    [
        ("CN", 3, 0),  # cancel newest: the taker goes, the resting order stays
        ("CO", 0, 2),  # cancel oldest: the resting order goes, the taker trades with bob
        ("CB", 0, 0),  # cancel both
    ],
)
def test_self_trade_prevention(
    engine: Engine, stp: str, maker_left: int, taker_filled: int
) -> None:
    mine = order(engine, "alice", "sell", 3, "91000.0")
    order(engine, "bob", "sell", 2, "91000.1")
    taker = order(engine, "alice", "buy", 2, "91000.1", stp=stp)
    assert mine.remaining == maker_left and mine.filled == 0
    assert taker.filled == taker_filled and taker.status == "done"


def test_cancel_removes_the_size_and_a_second_cancel_fails(engine: Engine, feed: Recorder) -> None:
    resting = order(engine, "alice", "buy", 6, "90000.0")
    engine.cancel("alice", resting.order_id)
    assert feed.of("/contractMarket/level2")[-1]["change"] == "90000.0,buy,0"
    assert engine.markets[SYMBOL].book.depth("buy") == []
    with pytest.raises(SimError) as info:
        engine.cancel("alice", resting.order_id)
    assert info.value.code == "100004"


@pytest.mark.parametrize(
    ("field", "value", "code", "words"),
    [
        ("price", "91000.05", "400100", "tick size"),
        ("size", 0, "400100", "size"),
        ("size", "1.5", "400100", "size"),
        ("side", "long", "400100", "side"),
        ("symbol", "NOSUCHUSDTM", "100003", "NOSUCHUSDTM"),
        ("price", "200000.0", "300011", "above"),
        ("leverage", 500, "400100", "leverage"),
    ],
)
def test_bad_fields_get_kucoin_codes_that_name_them(
    engine: Engine, field: str, value: Any, code: str, words: str
) -> None:
    body = {
        "clientOid": "x1",
        "symbol": SYMBOL,
        "side": "buy",
        "type": "limit",
        "price": "91000.0",
        "size": 1,
        "leverage": 5,
        field: value,
    }
    with pytest.raises(SimError) as info:
        engine.place("alice", body)
    assert info.value.code == code and words in info.value.msg


def test_duplicate_client_oid_is_300018(engine: Engine) -> None:
    body = {
        "clientOid": "same",
        "symbol": SYMBOL,
        "side": "buy",
        "type": "limit",
        "price": "90000.0",
        "size": 1,
        "leverage": 5,
    }
    engine.place("alice", body)
    with pytest.raises(SimError) as info:
        engine.place("alice", dict(body))
    assert info.value.code == "300018"
    assert engine.place("bob", dict(body)).client_oid == "same"  # unique per account


def test_hidden_orders_trade_but_never_show(engine: Engine, feed: Recorder) -> None:
    hidden = order(engine, "alice", "sell", 5, "91000.0", hidden=True)
    assert engine.markets[SYMBOL].book.depth("sell") == []
    assert not [c for c in feed.of("/contractMarket/level2") if "91000.0" in c["change"]]
    taker = order(engine, "bob", "buy", 3, "91000.0")
    assert taker.filled == 3 and hidden.remaining == 2


def test_an_iceberg_shows_its_tip_and_refills_at_the_back(engine: Engine) -> None:
    berg = order(engine, "alice", "sell", 10, "91000.0", iceberg=True, visibleSize="3")
    book = engine.markets[SYMBOL].book
    assert book.depth("sell") == [(910000, 3)]
    later = order(engine, "bob", "sell", 2, "91000.0")
    assert book.depth("sell") == [(910000, 5)]
    taker = order(engine, "carol", "buy", 4, "91000.0")
    # 3 from the tip, then the refilled tip went behind bob: bob's 1 lot trades next.
    assert (berg.filled, later.filled, taker.filled) == (3, 1, 4)
    assert book.depth("sell") == [(910000, 4)]  # bob's 1 + the new tip of 3
    assert berg.to_api()["iceberg"] is True and berg.to_api()["visibleSize"] == 3
