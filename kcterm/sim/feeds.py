"""The periodic public feeds (spec/REFERENCE.md 8.2) and the task that drives them with the
funding clock.

Every 100 ms: level2Depth5/50 snapshots of the books that changed, and candles (each topic at most
once a second, only when its candle changed). Every second: index, mark and premium samples, and
mark.index.price. Every minute: the predicted funding.rate. Every 5 s: snapshot.24h. Nothing is
built for a topic nobody holds (Publisher.wants), so an idle exchange costs a few dict lookups.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from kcterm.sim.candles import MINUTE, WS_TYPES, Candle
from kcterm.sim.clock import Clock
from kcterm.sim.funding import FundingClock
from kcterm.sim.publisher import Publisher
from kcterm.sim.symbol_market import SymbolMarket
from kcterm.sim.topics import CANDLE_TOPIC

log = logging.getLogger("kcterm.sim.feeds")

TICK_S = 0.1
DEPTHS = (5, 50)
SNAPSHOT_EVERY_MS = 5_000
CANDLE_EVERY_MS = 1_000


class MarketFeeds:
    def __init__(
        self,
        markets: dict[str, SymbolMarket],
        publisher: Publisher,
        clock: Clock,
        seed: int,
        funding_interval_s: float | None = None,
    ) -> None:
        if funding_interval_s is not None and funding_interval_s <= 0:
            raise ValueError("funding_interval_s must be positive (or None for 8 h cycles)")
        interval_ms = None if funding_interval_s is None else max(1, int(funding_interval_s * 1000))
        for market in markets.values():
            market.configure(seed, interval_ms)
        self.markets = markets
        self._publisher = publisher
        self._clock = clock
        self.funding = FundingClock([m.funding for m in markets.values()], publisher)
        self._second = self._minute = -1
        self._snapshot_sent: dict[str, int] = {}  # topic -> ms
        self._depth_seen: dict[str, tuple[int, Any]] = {}  # topic -> (sequence, levels)
        self._candle_sent: dict[str, tuple[int, tuple[int, ...]]] = {}  # topic -> (ms, key)
        self._candle_topics = [
            (market, f"{CANDLE_TOPIC}:{symbol}_{kind}", granularity)
            for symbol, market in markets.items()
            for kind, granularity in WS_TYPES.items()
        ]

    async def run(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                self.tick(self._clock.now_ms())
            except Exception:  # the feeds must keep living whatever one tick did
                log.exception("market feeds tick failed")

    def tick(self, now_ms: int) -> None:
        second = now_ms // 1000
        if second != self._second:
            self._second = second
            self._each_second(now_ms)
        minute = now_ms // MINUTE
        if minute != self._minute:
            self._minute = minute
            self._each_minute(minute * MINUTE)
        for market in self.markets.values():
            self._snapshot_24h(market, now_ms)
        self.funding.poll(now_ms)
        for market in self.markets.values():
            for depth in DEPTHS:
                self._depth(market, depth, now_ms)
        for market, topic, granularity in self._candle_topics:
            if self._publisher.wants(topic):
                self._candle(market, topic, granularity, now_ms)
            elif topic in self._candle_sent:  # the next subscriber gets the candle at once
                del self._candle_sent[topic]

    # -- each feed -------------------------------------------------------------------------

    def _each_second(self, now_ms: int) -> None:
        timestamp = now_ms - now_ms % 1000
        for symbol, market in self.markets.items():
            market.sample(now_ms)
            topic = f"/contract/instrument:{symbol}"
            if self._publisher.wants(topic):
                data = {
                    "markPrice": float(market.mark_price),
                    "indexPrice": float(market.index_price),
                    "granularity": 1000,
                    "timestamp": timestamp,
                }
                self._publisher.publish(topic, "mark.index.price", data)

    def _each_minute(self, minute_ms: int) -> None:
        for symbol, market in self.markets.items():
            topic = f"/contract/instrument:{symbol}"
            if self._publisher.wants(topic):
                data = {
                    "granularity": 60_000,
                    "fundingRate": float(market.funding.predicted()),
                    "timestamp": minute_ms,
                }
                self._publisher.publish(topic, "funding.rate", data)

    def _snapshot_24h(self, market: SymbolMarket, now_ms: int) -> None:
        """Every 5 s, and at once for a new subscriber (no 5 s of silence after subscribing)."""
        topic = f"/contractMarket/snapshot:{market.spec.symbol}"
        if not self._publisher.wants(topic):
            self._snapshot_sent.pop(topic, None)
            return
        if now_ms - self._snapshot_sent.get(topic, -SNAPSHOT_EVERY_MS) >= SNAPSHOT_EVERY_MS:
            self._snapshot_sent[topic] = now_ms
            self._publisher.publish(topic, "snapshot.24h", snapshot_24h(market, now_ms))

    def _depth(self, market: SymbolMarket, depth: int, now_ms: int) -> None:
        topic = f"/contractMarket/level2Depth{depth}:{market.spec.symbol}"
        if not self._publisher.wants(topic):
            self._depth_seen.pop(topic, None)  # a new subscriber gets a snapshot at once
            return
        seen = self._depth_seen.get(topic)
        if seen is not None and seen[0] == market.sequence:
            return
        book = market.book
        levels = (book.depth("buy", depth), book.depth("sell", depth))
        self._depth_seen[topic] = (market.sequence, levels)
        if seen is not None and seen[1] == levels:
            return
        text = market.spec.price_text
        data = {
            "bids": [[text(tick), size] for tick, size in levels[0]],
            "sequence": market.sequence,
            "timestamp": now_ms,
            "ts": now_ms,
            "asks": [[text(tick), size] for tick, size in levels[1]],
        }
        self._publisher.publish(topic, "level2", data)

    def _candle(self, market: SymbolMarket, topic: str, granularity: int, now_ms: int) -> None:
        sent = self._candle_sent.get(topic)
        if sent is not None and now_ms - sent[0] < CANDLE_EVERY_MS:
            return
        candle = market.chart.current(granularity, now_ms)
        if candle is None or (sent is not None and sent[1] == candle.key()):
            return
        self._candle_sent[topic] = (now_ms, candle.key())
        data = {
            "symbol": market.spec.symbol,
            "candles": candle_strings(market, candle),
            "time": now_ms,
        }
        self._publisher.publish(topic, "candle.stick", data)


def candle_strings(market: SymbolMarket, candle: Candle) -> list[str]:
    """[start s, open, close, high, low, volume, turnover], all strings, in the WS order
    (open, close, high, low: not the REST order). Volume in lots, turnover in quote."""
    text = market.spec.price_text
    return [
        str(candle.start // 1000),
        text(candle.open),
        text(candle.close),
        text(candle.high),
        text(candle.low),
        str(candle.volume),
        f"{candle.turnover:.8f}".rstrip("0").rstrip("."),
    ]


def snapshot_24h(market: SymbolMarket, now_ms: int) -> dict[str, Any]:
    """The snapshot.24h data: numbers; volume in coins, turnover in quote, ts in ns."""
    spec = market.spec
    stats = market.stats_24h(now_ms)
    before = spec.price(stats.open_tick)
    last = spec.price(stats.last_tick)
    change = last - before
    return {
        "highPrice": float(spec.price(stats.high_tick)),
        "lastPrice": float(last),
        "lowPrice": float(spec.price(stats.low_tick)),
        "price24HoursBefore": float(before),
        "priceChg": float(change),
        "priceChgPct": float(round(change / before, 4)) if before else 0.0,
        "symbol": spec.symbol,
        "ts": now_ms * 1_000_000,
        "turnover": round(stats.turnover, 4),
        "volume": float(stats.volume_lots * spec.multiplier),
    }
