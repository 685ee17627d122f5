"""Public market data beyond the book (spec/REFERENCE.md 7.5-7.8): trades, klines, mark, index,
premium, interest, funding and the platform's 24 h statistics. Shapes follow the spec examples:
numbers where they show numbers, ``ts`` of trades in ns, every other time in ms."""

from __future__ import annotations

from typing import Any

from kcterm.sim import params
from kcterm.sim.candles import REST_GRANULARITIES
from kcterm.sim.chart import ChartSeries
from kcterm.sim.contract_view import index_symbol
from kcterm.sim.engine import Engine
from kcterm.sim.errors import bad_param, unknown_contract
from kcterm.sim.funding import BASE_INTEREST, CAP, FLOOR, QUOTE_INTEREST
from kcterm.sim.history import FIRST_OPEN_MS
from kcterm.sim.http import Call
from kcterm.sim.points import PageRequest, PointLog, Timeline, page
from kcterm.sim.symbol_market import SymbolMarket

Route = tuple[str, str, Any, bool]  # method, path, handler, private
SOURCE = "kcterm-sim"  # the one "exchange" behind every index (contract sourceExchanges)


class MarketDataRoutes:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def table(self) -> list[Route]:
        return [
            ("GET", "/api/v1/trade/history", self.trade_history, False),
            ("GET", "/api/v1/kline/query", self.klines, False),
            ("GET", "/api/v1/mark-price/{symbol}/current", self.mark_price, False),
            ("GET", "/api/v1/index/query", self.index, False),
            ("GET", "/api/v1/premium/query", self.premium, False),
            ("GET", "/api/v1/interest/query", self.interest, False),
            ("GET", "/api/v1/funding-rate/{symbol}/current", self.funding_current, False),
            ("GET", "/api/v1/contract/funding-rates", self.funding_rates, False),
            # Public channel (no signature) though its weight is charged to the Futures pool.
            ("GET", "/api/v1/trade-statistics", self.trade_statistics, False),
        ]

    def _now(self) -> int:
        return self.engine.clock.now_ms()

    async def trade_history(self, call: Call) -> list[dict[str, Any]]:
        return self.engine.market(params.text(call.query, "symbol", required=True)).trade_history()

    async def klines(self, call: Call) -> list[list[float | int]]:
        query = call.query
        series = self._chart(params.text(query, "symbol", required=True))
        granularity = params.whole(query, "granularity", required=True)
        if granularity not in REST_GRANULARITIES:
            choices = ", ".join(map(str, REST_GRANULARITIES))
            raise bad_param(f"granularity must be one of {choices} (minutes)")
        from_ms = params.whole(query, "from", default=-1, minimum=0)
        to_ms = params.whole(query, "to", default=-1, minimum=0)
        if from_ms >= 0 and to_ms >= 0 and from_ms > to_ms:
            raise bad_param("from must not be later than to")
        rows = series.rows(
            granularity,
            from_ms if from_ms >= 0 else None,
            to_ms if to_ms >= 0 else None,
            self._now(),
        )
        unit = series.unit
        return [
            [
                c.start,
                float(c.open * unit),
                float(c.high * unit),
                float(c.low * unit),
                float(c.close * unit),
                c.volume,
            ]
            for c in rows
        ]

    def _chart(self, symbol: str) -> ChartSeries:
        """A contract, its index (.KXBTUSDT, .KXBTUSDC, .BXBT) or its premium index
        (.XBTUSDTMPI, ...PI8H)."""
        market = self.engine.markets.get(symbol)
        if market is not None:
            return market.chart
        for market in self.engine.markets.values():
            if symbol == index_symbol(market.spec):
                return market.index_chart
            if symbol in (f".{market.spec.symbol}PI", f".{market.spec.symbol}PI8H"):
                return market.premium_chart
        raise unknown_contract(symbol)

    async def mark_price(self, call: Call) -> dict[str, Any]:
        market = self.engine.market(call.request.match_info["symbol"])
        now = self._now()
        return {
            "symbol": market.spec.symbol,
            "granularity": 1000,
            "timePoint": now - now % 1000,
            "value": float(market.mark_price),
            "indexPrice": float(market.index_price),
        }

    async def index(self, call: Call) -> dict[str, Any]:
        symbol = params.text(call.query, "symbol", required=True)
        market = self._find(symbol, lambda m: (index_symbol(m.spec),))
        items, more = page(Timeline.of_log(market.indices.index_points), _page(call.query))
        return {
            "dataList": [
                {
                    "symbol": symbol,
                    "granularity": 1000,
                    "timePoint": t,
                    "value": value,
                    "decomposionList": [{"exchange": SOURCE, "price": value, "weight": 1.0}],
                }
                for t, value in items
            ],
            "hasMore": more,
        }

    async def premium(self, call: Call) -> dict[str, Any]:
        symbol = params.text(call.query, "symbol", required=True)
        market = self._find(symbol, lambda m: (f".{m.spec.symbol}PI", f".{m.spec.symbol}PI8H"))
        points: PointLog[float]
        if symbol.endswith("8H"):
            points, granularity = market.funding.premium_periods, market.funding.granularity_ms
        else:
            points, granularity = market.indices.premium_points, 60_000
        return _series(symbol, granularity, Timeline.of_log(points), _page(call.query))

    async def interest(self, call: Call) -> dict[str, Any]:
        symbol = params.text(call.query, "symbol", required=True)
        specs = [m.spec for m in self.engine.markets.values()]
        # Every quote currency listed (USDT, USDC, and USD for the inverse contracts) earns the
        # quote rate; the coins the base rate.
        rates = {
            **{s.base: BASE_INTEREST for s in specs},
            **{s.quote: QUOTE_INTEREST for s in specs},
        }
        name = symbol[1:].removesuffix("8H").removesuffix("INT") if symbol[:1] == "." else ""
        if name not in rates or not symbol.endswith(("INT", "INT8H")):
            raise unknown_contract(symbol)
        step = 28_800_000 if symbol.endswith("8H") else 60_000
        now = self._now()
        first = FIRST_OPEN_MS + (-FIRST_OPEN_MS) % step
        timeline = Timeline.regular(first, step, now - now % step, rates[name])
        return _series(symbol, step, timeline, _page(call.query))

    async def funding_current(self, call: Call) -> dict[str, Any]:
        funding = self.engine.market(call.request.match_info["symbol"]).funding
        return {
            "symbol": funding.funding_symbol,
            "granularity": funding.granularity_ms,
            "timePoint": funding.last_ms,
            "value": float(funding.rate),
            "predictedValue": float(funding.predicted()),
            "fundingRateCap": float(CAP),
            "fundingRateFloor": float(FLOOR),
            "period": 1,
            "fundingTime": funding.next_ms,
        }

    async def funding_rates(self, call: Call) -> list[dict[str, Any]]:
        query = call.query
        market = self.engine.market(params.text(query, "symbol", required=True))
        from_ms = params.whole(query, "from", required=True, minimum=0)
        to_ms = params.whole(query, "to", required=True, minimum=0)
        if from_ms > to_ms:
            raise bad_param("from must not be later than to")
        symbol = market.spec.symbol
        return [
            {"symbol": symbol, "fundingRate": float(rate), "timepoint": t}
            for t, rate in market.funding.history(from_ms, to_ms)
        ]

    async def trade_statistics(self, call: Call) -> dict[str, float]:
        now = self._now()
        total = sum(m.stats_24h(now).turnover for m in self.engine.markets.values())
        return {"turnoverOf24h": round(total, 4)}

    def _find(self, symbol: str, names: Any) -> SymbolMarket:
        for market in self.engine.markets.values():
            if symbol in names(market):
                return market
        raise unknown_contract(symbol)


def contract_market_fields(market: SymbolMarket, now_ms: int) -> dict[str, Any]:
    """The contract object's fields that come from market data: the rolling 24 h and funding
    (spec/REFERENCE.md 7.2; nextFundingRateTime is a countdown in ms)."""
    spec = market.spec
    stats = market.stats_24h(now_ms)
    before = spec.price(stats.open_tick)
    change = spec.price(stats.last_tick) - before
    return {
        "fundingFeeRate": float(market.funding.rate),
        "predictedFundingFeeRate": float(market.funding.predicted()),
        "fundingRateGranularity": market.funding.granularity_ms,  # shorter when accelerated
        "nextFundingRateTime": max(0, market.funding.next_ms - now_ms),
        "turnoverOf24h": round(stats.turnover, 4),
        "volumeOf24h": float(stats.volume_lots * spec.multiplier),
        "lowPrice": float(spec.price(stats.low_tick)),
        "highPrice": float(spec.price(stats.high_tick)),
        "priceChgPct": float(round(change / before, 4)) if before else 0.0,
        "priceChg": float(change),
    }


def _series(
    symbol: str, granularity: int, timeline: Timeline[Any], req: PageRequest
) -> dict[str, Any]:
    items, more = page(timeline, req)
    return {
        "dataList": [
            {"symbol": symbol, "granularity": granularity, "timePoint": t, "value": value}
            for t, value in items
        ],
        "hasMore": more,
    }


def _page(query: dict[str, str]) -> PageRequest:
    def optional(name: str) -> int | None:
        return params.whole(query, name, minimum=0) if query.get(name) else None

    return PageRequest(
        start_at=optional("startAt"),
        end_at=optional("endAt"),
        reverse=params.flag(query, "reverse") if "reverse" in query else True,
        offset=optional("offset"),
        forward=params.flag(query, "forward") if "forward" in query else True,
        max_count=params.whole(query, "maxCount", default=10, minimum=1, maximum=100),
    )
