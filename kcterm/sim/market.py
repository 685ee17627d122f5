"""A living market: a seeded random-walk index with regimes, a liquidity provider that keeps a
realistic ladder around it, and takers that trade through the book.

The provider's quotes and the takers' orders are real orders in the matching book, so a
user's resting order fills by queue position, partially, as the tape moves through it.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from kcterm.sim.engine import Engine
from kcterm.sim.orders import SimOrder
from kcterm.sim.symbol_market import SymbolMarket

MAKER_USER = "5f0c0000000000000000mm01"
TAKER_USER = "5f0c0000000000000000tk01"
# A quiet (non-major) contract's index and book move every this many steps: at 5 steps a
# second that is once a second, often enough to look alive, at a fifth of the cost.
QUIET_EVERY = 5


@dataclass(frozen=True)
class Regime:
    name: str
    volatility: float  # multiple of the contract's per-step volatility
    drift: float  # per-step drift, in the same unit
    taker_rate: float  # chance of a taker order per step


REGIMES = (
    Regime("calm", 0.6, 0.0, 0.25),
    Regime("trending", 1.0, 0.35, 0.45),
    Regime("fast", 3.0, 0.0, 0.9),
)


@dataclass
class _Quotes:
    """The provider's resting orders on one contract, by side and tick."""

    bids: dict[int, SimOrder] = field(default_factory=dict)
    asks: dict[int, SimOrder] = field(default_factory=dict)


class SyntheticMarket:
    def __init__(self, engine: Engine, seed: int, *, levels: int = 30, churn: int = 2) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.levels = levels
        self.churn = churn  # quotes resized per side per step: the book's flicker rate
        self.regime = REGIMES[0]
        self.steps = 0
        self._fair: dict[str, float] = {}
        self._quotes: dict[str, _Quotes] = {}
        engine.bot_users.update({MAKER_USER, TAKER_USER})
        for symbol, market in engine.markets.items():
            self._fair[symbol] = float(market.spec.start_price)
            self._quotes[symbol] = _Quotes()

    def state(self) -> dict[str, dict[str, str | int]]:
        """Where each market stands, so a restarted exchange resumes from there."""
        return {
            symbol: {
                "fair": repr(self._fair[symbol]),
                "last_tick": m.last_tick,
                "mark": str(m.mark_price),
                "index": str(m.index_price),
            }
            for symbol, m in self.engine.markets.items()
        }

    def restore(self, saved: dict[str, dict[str, str | int]]) -> None:
        for symbol, point in saved.items():
            market = self.engine.markets.get(symbol)
            if market is None:
                continue
            self._fair[symbol] = float(point["fair"])
            market.last_tick = int(point["last_tick"])
            market.open_tick = market.high_tick = market.low_tick = market.last_tick
            market.mark_price = Decimal(str(point["mark"]))
            market.index_price = Decimal(str(point["index"]))

    def seed_books(self) -> None:
        """Fill every book with a full ladder before any client connects."""
        for symbol, market in self.engine.markets.items():
            self._requote(symbol, market, churn=0)

    def step(self) -> None:
        """One tick of the market: regime, a common shock, every index, then the books of the
        majors and of one slice of the quiet contracts (each quiet book every QUIET_EVERY
        steps), so the step's cost grows with the majors, not with the whole listing."""
        self.steps += 1
        rng = self.rng
        if rng.random() < 0.01:
            self.regime = rng.choice(REGIMES)
        common = rng.gauss(0.0, 1.0)  # the crypto market's move this step
        trend = self.regime.drift * (1 if self.steps // 500 % 2 else -1)
        for symbol, market in self.engine.markets.items():
            spec = market.spec
            sigma = float(spec.volatility) * self.regime.volatility
            beta = spec.beta
            # Each index = beta x common shock + idiosyncratic part, with its own variance
            # kept at sigma^2, so correlations across contracts are beta_i x beta_j.
            shock = beta * common + math.sqrt(max(0.0, 1.0 - beta * beta)) * rng.gauss(0.0, 1.0)
            self._fair[symbol] *= math.exp(float(spec.volatility) * trend + sigma * shock)
        turn = self.steps % QUIET_EVERY
        for position, (symbol, market) in enumerate(self.engine.markets.items()):
            if not market.spec.major and position % QUIET_EVERY != turn:
                continue
            step = market.spec.index_tick_size
            market.set_index(step * round(Decimal(repr(self._fair[symbol])) / step))
            self._requote(symbol, market, churn=self.churn + (self.regime.name != "calm"))
            if rng.random() < self.regime.taker_rate:
                self._take(symbol, market)

    # -- the liquidity provider ------------------------------------------------------------

    def _requote(self, symbol: str, market: SymbolMarket, churn: int) -> None:
        fair = self._fair[symbol]
        tick_size = float(market.spec.tick_size)
        fair_tick = round(fair / tick_size)
        gap = max(1, round(fair * 0.000002 / tick_size))
        quotes = self._quotes[symbol]
        sides = (("buy", -1, quotes.bids), ("sell", 1, quotes.asks))
        for _, sign, mine in sides:  # both sides first, so no new quote meets an old one
            self._drop_stale(mine, fair_tick, sign, gap)
        for side, sign, mine in sides:
            self._fill_ladder(symbol, market, side, mine, fair_tick + sign * gap, sign, gap)
            while len(mine) > self.levels:  # too many after the touch moved: drop the farthest
                farthest = max(mine, key=lambda t: sign * t)
                self.engine.cancel(MAKER_USER, mine.pop(farthest).order_id)
            # Churn: resize a few random levels so the book flickers as real books do.
            for _ in range(churn):
                if mine:
                    tick = self.rng.choice(list(mine))
                    self.engine.cancel(MAKER_USER, mine.pop(tick).order_id)
                    self._quote(symbol, side, tick, mine)
        market.publish_bbo_if_changed()

    def _drop_stale(self, mine: dict[int, SimOrder], fair_tick: int, sign: int, gap: int) -> None:
        """Forget filled quotes; cancel those on the wrong side of fair or far out of range."""
        for tick, order in list(mine.items()):
            wrong = sign * (tick - fair_tick) <= 0
            far = sign * (tick - fair_tick) > gap * self.levels * 4
            if order.remaining <= 0 or wrong or far:
                if order.remaining > 0:
                    self.engine.cancel(MAKER_USER, order.order_id)
                del mine[tick]

    def _fill_ladder(
        self,
        symbol: str,
        market: SymbolMarket,
        side: str,
        mine: dict[int, SimOrder],
        touch: int,
        sign: int,
        gap: int,
    ) -> None:
        """Keep a quote at the touch, close holes wider than three gaps (one per step, so the
        book heals visibly), then extend the ladder outwards to ``levels`` quotes."""

        def place(tick: int) -> None:
            if tick not in mine and self._safe(market, side, tick):
                self._quote(symbol, side, tick, mine)

        ladder = sorted(mine, key=lambda t: sign * t)
        if not ladder or sign * (ladder[0] - touch) > 0:
            place(touch)
        for near, far in itertools.pairwise(ladder):
            if sign * (far - near) > 3 * gap:
                place(near + sign * gap)
        edge = max(mine, key=lambda t: sign * t) if mine else touch
        for _ in range(self.levels * 2):
            if len(mine) >= self.levels:
                break
            edge += sign * gap * self.rng.choice((1, 1, 1, 2, 3))
            place(edge)

    @staticmethod
    def _safe(market: SymbolMarket, side: str, tick: int) -> bool:
        """The provider only posts; it never crosses another resting order."""
        opposite = market.book.best_tick("sell" if side == "buy" else "buy")
        if opposite is None:
            return True
        return tick < opposite if side == "buy" else tick > opposite

    def _quote(self, symbol: str, side: str, tick: int, mine: dict[int, SimOrder]) -> None:
        if tick <= 0:
            return
        distance = len(mine) + 1
        size = max(1, int(self.rng.lognormvariate(math.log(40 + 15 * distance), 0.6)))
        size *= self.engine.markets[symbol].spec.depth_scale
        order = self.engine.submit(self.engine.new_order(MAKER_USER, symbol, side, tick, size))
        if order.remaining > 0:
            mine[tick] = order

    # -- takers ----------------------------------------------------------------------------

    def _take(self, symbol: str, market: SymbolMarket) -> None:
        rng = self.rng
        fair = self._fair[symbol]
        last = float(market.last_price)
        # Takers lean towards fair value: buy when the last trade is below it.
        side = (
            "buy"
            if rng.random() < (0.5 + max(-0.3, min(0.3, (fair - last) / fair * 2000)))
            else "sell"
        )
        size = max(1, int(rng.lognormvariate(math.log(25), 1.0))) * market.spec.depth_scale
        if market.book.best_maker("sell" if side == "buy" else "buy") is None:
            return
        self.engine.submit(self.engine.new_order(TAKER_USER, symbol, side, 0, size, "market"))
