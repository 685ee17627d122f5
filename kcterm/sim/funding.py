"""Funding: each contract's rate, its prediction, the settlement times and the public history
(spec/REFERENCE.md 7.8), and the clock that settles every contract at each funding time.

The rate charged at a settlement is fixed one period ahead (as ``value`` of the current-rate
endpoint): at each settlement the average premium of the period just ended, plus the 0.01 %
interest of a period, clamped to +-0.3 %, becomes the rate of the next one. ``predictedValue``
is the same formula on the premium averaged so far.

Settlements fall on the contract's fundingRateGranularity boundaries (00:00, 08:00, 16:00 UTC),
or, with SimConfig.funding_interval_s, every that many seconds from the start so a practice
session sees several. Before the exchange started the public history holds seeded rates on the
8-hour boundaries back to the listing date.
"""

from __future__ import annotations

import logging
import random
import zlib
from collections.abc import Callable, Iterable
from decimal import Decimal

from kcterm.sim.history import FIRST_OPEN_MS
from kcterm.sim.points import PointLog
from kcterm.sim.publisher import Publisher

log = logging.getLogger("kcterm.sim.funding")

CAP = Decimal("0.003")
FLOOR = -CAP
INTEREST = Decimal("0.0001")  # per period: (quote 0.06 % - base 0.03 %) a day / 3 (BitMEX's I)
BASE_INTEREST = 0.0003  # .XBTINT8H and .XBTINT: the base currency's daily rate
QUOTE_INTEREST = 0.0006  # .USDTINT8H and .USDTINT
_STEP = Decimal("0.000001")
MAX_CATCH_UP = 3  # settlements replayed after a stall; older missed ones are skipped

FundingListener = Callable[[str, Decimal, int], None]  # symbol, rate, funding time (ms)


def rate_from_premium(premium: float) -> Decimal:
    rate = (Decimal(repr(premium)) + INTEREST).quantize(_STEP)
    return min(CAP, max(FLOOR, rate))


def seeded_rate(seed: int, symbol: str, t_ms: int) -> Decimal:
    """The settled rate of a funding time before the exchange started: small and mostly
    positive, as perpetuals usually are."""
    rng = random.Random((seed << 40) ^ (zlib.crc32(symbol.encode()) << 8) ^ t_ms)
    return rate_from_premium(rng.gauss(0.00003, 0.00015))


class FundingState:
    """One contract's funding: what the REST and WS views read, what the clock settles."""

    def __init__(
        self, symbol: str, seed: int, now_ms: int, granularity_ms: int, interval_ms: int | None
    ) -> None:
        self.symbol = symbol
        self.seed = seed
        self.granularity_ms = interval_ms or granularity_ms
        # Real 8 h cycles end on boundaries; accelerated ones count from the start.
        self.last_ms = now_ms if interval_ms else now_ms - now_ms % granularity_ms
        self.next_ms = self.last_ms + self.granularity_ms
        self.started_ms = now_ms
        self._past_step = granularity_ms
        self.rate = seeded_rate(seed, symbol, self.next_ms)
        self._premium_sum = 0.0
        self._premium_count = 0
        self._premium_last = 0.0
        self.settled: PointLog[Decimal] = PointLog(20_000)
        self.premium_periods: PointLog[float] = PointLog(20_000)  # .{symbol}PI8H

    @property
    def funding_symbol(self) -> str:
        return f".{self.symbol}FPI8H"

    def add_premium(self, premium: float) -> None:
        self._premium_sum += premium
        self._premium_count += 1
        self._premium_last = premium

    def average_premium(self) -> float:
        if not self._premium_count:
            return self._premium_last
        return self._premium_sum / self._premium_count

    def predicted(self) -> Decimal:
        return rate_from_premium(self.average_premium())

    def settle(self, funding_time_ms: int) -> Decimal:
        """Close the period at ``funding_time_ms``: returns the rate charged now and fixes the
        next period's from this period's premium."""
        charged = self.rate
        self.settled.add(funding_time_ms, charged)
        average = self.average_premium()
        self.premium_periods.add(funding_time_ms, round(average, 6))
        self.rate = rate_from_premium(average)
        self._premium_sum, self._premium_count = 0.0, 0
        self.last_ms = funding_time_ms
        return charged

    def history(self, from_ms: int, to_ms: int) -> list[tuple[int, Decimal]]:
        """Settled rates with from_ms <= time <= to_ms, newest first (seeded ones included)."""
        live = self.settled.between(from_ms, to_ms)
        step = self._past_step
        first = max(from_ms, FIRST_OPEN_MS)
        first += (-first) % step
        last = min(to_ms, self.started_ms - 1)
        past = [(t, seeded_rate(self.seed, self.symbol, t)) for t in range(first, last + 1, step)]
        return (past + live)[::-1]


class FundingClock:
    """Settles every contract when its funding time comes; ``poll`` is called by the feeds
    several times a second with the exchange's clock."""

    def __init__(self, states: Iterable[FundingState], publisher: Publisher) -> None:
        self.states = list(states)
        self._publisher = publisher
        self._listeners: list[FundingListener] = []

    def add_listener(self, callback: FundingListener) -> None:
        """``callback(symbol, rate, funding_time_ms)`` at each settlement of each contract,
        between the funding.begin and funding.end announcements (positions are charged here)."""
        self._listeners.append(callback)

    def poll(self, now_ms: int) -> None:
        for state in self.states:
            replayed = 0
            while now_ms >= state.next_ms:
                if replayed == MAX_CATCH_UP:  # a long stall: skip to the current period
                    behind = (now_ms - state.next_ms) // state.granularity_ms
                    state.next_ms += behind * state.granularity_ms
                    if now_ms < state.next_ms:
                        break
                self._settle(state, state.next_ms, now_ms)
                state.next_ms += state.granularity_ms
                replayed += 1

    def _settle(self, state: FundingState, funding_time: int, now_ms: int) -> None:
        symbol = state.symbol
        rate = state.rate
        announcement = f"/contract/announcement:{symbol}"
        data = {
            "symbol": symbol,
            "fundingTime": funding_time,
            "fundingRate": float(rate),
            "timestamp": now_ms,
        }
        if self._publisher.wants(announcement):
            self._publisher.publish(announcement, "funding.begin", data)
        for listener in self._listeners:
            try:
                listener(symbol, rate, funding_time)
            except Exception:  # one broken listener must not stop the settlement of others
                log.exception("funding listener failed for %s", symbol)
        state.settle(funding_time)
        if self._publisher.wants(announcement):
            self._publisher.publish(announcement, "funding.end", {**data, "timestamp": now_ms})
        instrument = f"/contract/instrument:{symbol}"
        if self._publisher.wants(instrument):
            self._publisher.publish(
                instrument,
                "funding.rate",
                {
                    "granularity": state.granularity_ms,
                    "fundingRate": float(rate),
                    "timestamp": funding_time,
                },
            )
