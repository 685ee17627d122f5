"""Public state of one contract: its matching book, the shared level2 sequence, the last trades,
candles, mark and index prices, funding and 24 h statistics, and the real-time feeds that
report them (the periodic ones are in feeds.py)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kcterm.sim.candles import DAY, MINUTE, LiveCandles
from kcterm.sim.chart import ChartSeries
from kcterm.sim.clock import Clock
from kcterm.sim.funding import FundingState
from kcterm.sim.history import SeededHistory
from kcterm.sim.indices import PREMIUM_UNIT, IndexTrack
from kcterm.sim.orderbook import MatchingBook
from kcterm.sim.publisher import Publisher
from kcterm.sim.specs import ContractSpec

NOMINAL_STEP_MS = 200  # the volatility in ContractSpec is per step of the default market pace
TRADES_KEPT = 100  # GET /api/v1/trade/history: the last 100 (spec/REFERENCE.md 7.5)


@dataclass(frozen=True)
class Stats24h:
    """The rolling 24 hours of /contractMarket/snapshot, the contract object and the platform
    statistics; prices in ticks, volume in lots."""

    open_tick: int
    high_tick: int
    low_tick: int
    last_tick: int
    volume_lots: int
    turnover: float


class SymbolMarket:
    def __init__(self, spec: ContractSpec, publisher: Publisher, clock: Clock) -> None:
        self.spec = spec
        self._publisher = publisher
        self._clock = clock
        self.book = MatchingBook(self._on_level)
        # One sequence for the snapshot and the feed, +1 per level change (spec/REFERENCE.md 9).
        self.sequence = 1_700_000_000_000
        self.index_price = spec.start_price
        self.mark_price = spec.start_price
        self.last_tick = spec.ticks(spec.start_price)
        self.last_size = 0
        self.last_side = "buy"
        self.last_trade_id = ""
        self.last_ts_ns = clock.now_ns()
        self.open_tick = self.high_tick = self.low_tick = self.last_tick
        self.volume_lots = 0
        self.turnover = Decimal(0)
        self._bbo: tuple[Any, ...] = ()
        # (tradeId, makerOrderId, takerOrderId, ts ns, size, tick, side, sequence), oldest first
        self.trades: deque[tuple[str, str, str, int, int, int, str, int]] = deque(
            maxlen=TRADES_KEPT
        )
        self.started_ms = clock.now_ms()
        self.configure(seed=0)
        symbol = spec.symbol
        self._topics = {
            "level2": f"/contractMarket/level2:{symbol}",
            "tickerV2": f"/contractMarket/tickerV2:{symbol}",
            "ticker": f"/contractMarket/ticker:{symbol}",
            "execution": f"/contractMarket/execution:{symbol}",
        }

    def configure(self, seed: int, funding_interval_ms: int | None = None) -> None:
        """Seed the history before the start, the basis walk and the funding schedule. The
        exchange calls it once, before anything trades (it starts the live candles afresh)."""
        spec = self.spec
        start = self.started_ms
        sigma = float(spec.volatility) / math.sqrt(NOMINAL_STEP_MS)
        self.history = SeededHistory(seed, spec.symbol, start, float(spec.start_price), sigma)
        # Negated for an inverse contract (KuCoin's own convention): the seeded candles'
        # turnover is then volume x |multiplier| / price, in the coin.
        multiplier = -spec.multiplier if spec.inverse else spec.multiplier
        self.chart = ChartSeries(
            LiveCandles(start, self.last_tick), self.history, spec.tick_size, multiplier
        )
        self.indices = IndexTrack(spec.symbol, seed, start, self.index_price, spec.index_tick_size)
        self.index_chart = ChartSeries(
            self.indices.index_candles, self.history, spec.index_tick_size
        )
        self.premium_chart = ChartSeries(self.indices.premium_candles, None, PREMIUM_UNIT)
        self.funding = FundingState(
            spec.symbol, seed, start, spec.funding_granularity_ms, funding_interval_ms
        )

    # -- index and mark --------------------------------------------------------------------

    def set_index(self, price: Decimal) -> None:
        """A new index from the market; the mark follows it with the basis (one step)."""
        self.index_price = price
        self.mark_price = self.indices.mark_for(price)

    def sample(self, now_ms: int) -> None:
        """Once a second: record index, mark and premium; the premium feeds funding."""
        premium = self.indices.sample(now_ms, self.index_price, self.mark_price)
        self.funding.add_premium(premium)

    def stats_24h(self, now_ms: int) -> Stats24h:
        """The last 24 hours by the minute, history included while the exchange is younger."""
        end = now_ms - now_ms % MINUTE + MINUTE
        day = self.chart.window(end - DAY, end, now_ms)
        last = self.last_tick
        if day is None:
            return Stats24h(last, last, last, last, 0, 0.0)
        return Stats24h(day.open, day.high, day.low, last, day.volume, day.turnover)

    # -- feeds -----------------------------------------------------------------------------

    def _on_level(self, side: str, tick: int, size: int) -> None:
        self.sequence += 1
        topic = self._topics["level2"]
        if self._publisher.wants(topic):
            change = f"{self.spec.price_text(tick)},{side},{size}"
            data = {"sequence": self.sequence, "change": change, "timestamp": self._clock.now_ms()}
            self._publisher.publish(topic, "level2", data)

    def record_trade(
        self, taker_side: str, tick: int, size: int, trade_id: str, taker_id: str, maker_id: str
    ) -> None:
        spec = self.spec
        self.last_tick, self.last_size, self.last_side = tick, size, taker_side
        self.last_trade_id = trade_id
        self.last_ts_ns = ts = self._clock.now_ns()
        self.high_tick = max(self.high_tick, tick)
        self.low_tick = min(self.low_tick, tick)
        self.volume_lots += size
        value = spec.value(size, spec.price(tick))  # turnover: coins for an inverse contract
        self.turnover += value
        self.trades.append(
            (trade_id, maker_id, taker_id, ts, size, tick, taker_side, self.sequence)
        )
        self.chart.live.add(ts // 1_000_000, tick, size, float(value))
        price = spec.price_text(tick)
        execution = self._topics["execution"]
        if self._publisher.wants(execution):
            self._publisher.publish(
                execution,
                "match",
                {
                    "symbol": spec.symbol,
                    "sequence": self.sequence,
                    "side": taker_side,
                    "size": size,
                    "price": price,
                    "takerOrderId": taker_id,
                    "makerOrderId": maker_id,
                    "tradeId": trade_id,
                    "ts": ts,
                },
            )
        ticker = self._topics["ticker"]
        if self._publisher.wants(ticker):
            self._publisher.publish(
                ticker,
                "ticker",
                {
                    **self._bbo_fields(),
                    "side": taker_side,
                    "size": size,
                    "price": price,
                    "tradeId": trade_id,
                    "ts": ts,
                },
            )

    def publish_bbo_if_changed(self) -> None:
        """tickerV2 goes out when the best bid or ask (price or size) moved."""
        bbo = (tuple(self.book.depth("buy", 1)), tuple(self.book.depth("sell", 1)))
        if bbo == self._bbo:
            return
        self._bbo = bbo
        topic = self._topics["tickerV2"]
        if self._publisher.wants(topic):
            data = {**self._bbo_fields(), "ts": self._clock.now_ns()}
            self._publisher.publish(topic, "tickerV2", data)

    def _bbo_fields(self) -> dict[str, Any]:
        bid = self.book.depth("buy", 1)
        ask = self.book.depth("sell", 1)
        text = self.spec.price_text
        return {
            "symbol": self.spec.symbol,
            "sequence": self.sequence,
            "bestBidSize": bid[0][1] if bid else 0,
            "bestBidPrice": text(bid[0][0]) if bid else "",
            "bestAskPrice": text(ask[0][0]) if ask else "",
            "bestAskSize": ask[0][1] if ask else 0,
        }

    # -- REST shapes -----------------------------------------------------------------------

    def ticker(self) -> dict[str, Any]:
        """GET /api/v1/ticker (spec/REFERENCE.md 7.3)."""
        return {
            **self._bbo_fields(),
            "side": self.last_side,
            "size": self.last_size,
            "tradeId": self.last_trade_id or "0",
            "price": self.spec.price_text(self.last_tick),
            "ts": self.last_ts_ns,
        }

    def snapshot(self, depth: int | None = None) -> dict[str, Any]:
        """GET /api/v1/level2/snapshot and depth20/100: levels as numbers.

        See spec/REFERENCE.md 7.4."""
        price = self.spec.price
        return {
            "sequence": self.sequence,
            "symbol": self.spec.symbol,
            "bids": [[float(price(t)), s] for t, s in self.book.depth("buy", depth)],
            "asks": [[float(price(t)), s] for t, s in self.book.depth("sell", depth)],
            "ts": self._clock.now_ns(),
        }

    def trade_history(self) -> list[dict[str, Any]]:
        """GET /api/v1/trade/history: the last 100 trades, newest first (spec/REFERENCE.md 7.5)."""
        text = self.spec.price_text
        return [
            {
                "sequence": sequence,
                "contractId": 1,  # deprecated, still sent
                "tradeId": trade_id,
                "makerOrderId": maker_id,
                "takerOrderId": taker_id,
                "ts": ts,
                "size": size,
                "price": text(tick),
                "side": side,
            }
            for trade_id, maker_id, taker_id, ts, size, tick, side, sequence in reversed(
                self.trades
            )
        ]

    @property
    def last_price(self) -> Decimal:
        return self.spec.price(self.last_tick)
