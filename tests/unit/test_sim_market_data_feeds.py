"""The periodic feeds with the time given by hand: what each topic sends, how often, and that
nothing is built for topics nobody holds; candle topic validation; the mark's basis."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from kcterm.sim.clock import Clock
from kcterm.sim.engine import Engine
from kcterm.sim.feeds import MarketFeeds
from kcterm.sim.market import MAKER_USER, SyntheticMarket
from kcterm.sim.specs import CONTRACTS
from kcterm.sim.symbol_market import SymbolMarket
from kcterm.sim.topics import TopicError, split_topic

XBT = "XBTUSDTM"


class Subscribers:
    """A Publisher holding exactly the topics of ``held``, recording what it is sent."""

    def __init__(self, *held: str) -> None:
        self.held = set(held)
        self.frames: list[tuple[str, str, Any]] = []
        self.asked: set[str] = set()

    def wants(self, topic: str, user_id: str | None = None) -> bool:
        self.asked.add(topic)
        return topic in self.held and user_id is None

    def publish(self, topic: str, subject: str, data: Any, user_id: str | None = None) -> None:
        self.frames.append((topic, subject, data))

    def on(self, topic: str) -> list[tuple[str, Any]]:
        return [(s, d) for t, s, d in self.frames if t == topic]


BASE = 1_800_000_000_000  # a minute boundary; the exchange starts 5 s after it


def exchange(*held: str) -> tuple[Subscribers, Engine, MarketFeeds, SymbolMarket]:
    """An engine whose clock reads BASE + 5 s at its start (the clock's own skew setting), so
    trades and the times given to ``tick`` fall in known minutes."""
    feed = Subscribers(*held)
    clock = Clock()
    clock.skew_ms = BASE + 5_000 - time.time_ns() // 1_000_000
    engine = Engine(CONTRACTS, feed, clock)
    feeds = MarketFeeds(engine.markets, feed, engine.clock, seed=11)
    SyntheticMarket(engine, 11).seed_books()
    return feed, engine, feeds, engine.markets[XBT]


def second_after(market: SymbolMarket, offset_ms: int = 0) -> int:
    assert BASE + 5_000 <= market.started_ms < BASE + 30_000
    return BASE + 60_000 + offset_ms  # the minute boundary after the start


def test_nothing_is_published_when_nobody_listens() -> None:
    feed, _, feeds, market = exchange()
    t = second_after(market)
    for i in range(80):
        feeds.tick(t + i * 100)
    assert feed.frames == []
    assert f"/contractMarket/limitCandle:{XBT}_1month" in feed.asked


def test_depth5_is_a_full_snapshot_sent_again_only_when_the_top_changed() -> None:
    topic = f"/contractMarket/level2Depth5:{XBT}"
    feed, engine, feeds, market = exchange(topic)
    t = second_after(market)
    feeds.tick(t)
    feeds.tick(t + 100)
    frames = feed.on(topic)
    assert len(frames) == 1
    subject, data = frames[0]
    assert subject == "level2" and set(data) == {"bids", "sequence", "timestamp", "ts", "asks"}
    assert len(data["bids"]) == 5 and len(data["asks"]) == 5
    price, size = data["bids"][0]
    assert isinstance(price, str) and isinstance(size, int)
    assert Decimal(price) == market.spec.price(market.book.best_tick("buy") or 0)
    assert data["sequence"] == market.sequence and data["timestamp"] == data["ts"] == t
    far = market.book.depth("sell", 60)[-1][0] + 100
    engine.submit(engine.new_order(MAKER_USER, XBT, "sell", far, 5))  # below the top 5: unseen
    feeds.tick(t + 200)
    assert len(feed.on(topic)) == 1
    best = market.book.best_tick("buy") or 0
    engine.submit(engine.new_order(MAKER_USER, XBT, "buy", best, 7))  # the best bid grows
    feeds.tick(t + 300)
    frames = feed.on(topic)
    assert len(frames) == 2 and frames[1][1]["bids"][0][1] == data["bids"][0][1] + 7


def test_a_candle_topic_sends_at_most_once_a_second_and_only_changes() -> None:
    topic = f"/contractMarket/limitCandle:{XBT}_1min"
    feed, _, feeds, market = exchange(topic)
    t = BASE + 40_000  # the trades happen now, a little after BASE + 5 s: the same minute
    tick = market.last_tick
    market.record_trade("buy", tick + 30, 4, "t1", "a", "b")
    feeds.tick(t)
    market.record_trade("sell", tick - 20, 2, "t2", "c", "d")
    feeds.tick(t + 100)
    assert len(feed.on(topic)) == 1
    feeds.tick(t + 1_000)
    feeds.tick(t + 2_000)  # nothing changed since
    frames = feed.on(topic)
    assert len(frames) == 2
    subject, data = frames[1]
    assert subject == "candle.stick" and data["symbol"] == XBT and data["time"] == t + 1_000
    start, open_, close, high, low, volume, turnover = data["candles"]
    assert all(isinstance(x, str) for x in data["candles"])
    assert int(start) * 1000 == t + 1_000 - (t + 1_000) % 60_000  # seconds
    text = market.spec.price_text
    assert (close, high, low) == (text(tick - 20), text(tick + 30), text(tick - 20))
    assert open_ == text(tick)  # the minute opened at the previous close
    assert volume == "6" and float(turnover) > 0


def test_instrument_sends_mark_and_index_each_second_and_the_predicted_rate_each_minute() -> None:
    topic = f"/contract/instrument:{XBT}"
    feed, _, feeds, market = exchange(topic)
    t = second_after(market)
    for i in range(25):  # 2.5 s from a minute boundary
        feeds.tick(t + i * 100)
    subjects = [s for s, _ in feed.on(topic)]
    assert subjects.count("mark.index.price") == 3 and subjects.count("funding.rate") == 1
    price = next(d for s, d in feed.on(topic) if s == "mark.index.price")
    assert price == {
        "markPrice": float(market.mark_price),
        "indexPrice": float(market.index_price),
        "granularity": 1000,
        "timestamp": t,
    }
    rate = next(d for s, d in feed.on(topic) if s == "funding.rate")
    assert rate["granularity"] == 60_000 and rate["timestamp"] == t
    assert rate["fundingRate"] == float(market.funding.predicted())


def test_snapshot_24h_every_five_seconds_with_numbers() -> None:
    topic = f"/contractMarket/snapshot:{XBT}"
    feed, _, feeds, market = exchange(topic)
    t = second_after(market)
    for i in range(0, 12_000, 100):
        feeds.tick(t + i)
    frames = feed.on(topic)
    assert len(frames) == 3  # at 0, 5 and 10 s
    data = frames[0][1]
    assert frames[0][0] == "snapshot.24h" and data["symbol"] == XBT
    for name in ("highPrice", "lastPrice", "lowPrice", "price24HoursBefore", "priceChg"):
        assert isinstance(data[name], float)
    assert data["lowPrice"] <= data["lastPrice"] <= data["highPrice"]
    assert data["volume"] > 0 and data["turnover"] > 0  # the history's last 24 h
    assert data["ts"] > 10**18  # ns


def test_the_mark_carries_a_small_seeded_basis_over_the_index() -> None:
    _, _, _, market = exchange()
    other = Engine(CONTRACTS, Subscribers(), Clock())
    MarketFeeds(other.markets, Subscribers(), other.clock, seed=11)
    index = Decimal("91000.00")
    marks = [market.set_index(index) or market.mark_price for _ in range(3000)]
    again = [
        other.markets[XBT].set_index(index) or other.markets[XBT].mark_price for _ in range(3000)
    ]
    assert marks == again  # seeded
    assert any(m != index for m in marks)
    assert all(abs(m / index - 1) < Decimal("0.003") for m in marks)
    assert all(m == m.quantize(Decimal("0.01")) for m in marks)  # the index tick


def test_candle_topics_need_a_known_symbol_and_type() -> None:
    symbols = {XBT, "ETHUSDTM"}
    topic = "/contractMarket/limitCandle"
    assert split_topic(f"{topic}:{XBT}_1min,ETHUSDTM_1month", symbols, False) == [
        f"{topic}:{XBT}_1min",
        f"{topic}:ETHUSDTM_1month",
    ]
    for bad in (f"{topic}:{XBT}_2min", f"{topic}:{XBT}", f"{topic}:DOGE_1min", topic):
        with pytest.raises(TopicError) as caught:
            split_topic(bad, symbols, False)
        assert caught.value.code == 400
    for prefix in ("/contract/instrument", "/contractMarket/level2Depth50"):
        assert split_topic(f"{prefix}:{XBT}", symbols, False) == [f"{prefix}:{XBT}"]
