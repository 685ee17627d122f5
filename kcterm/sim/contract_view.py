"""The contract object of /api/v1/contracts, every documented field present.

See spec/REFERENCE.md 7.2."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from kcterm.sim.specs import ContractSpec
from kcterm.sim.symbol_market import SymbolMarket

BAND = Decimal("0.05")  # new orders within +-5 % of mark (the old IEPR rule, as buyLimit/sellLimit)
LISTED_MS = 1_585_555_200_000


def price_band(market: SymbolMarket) -> tuple[Decimal, Decimal]:
    """(buyLimit, sellLimit) rounded inwards to the tick."""
    tick = market.spec.tick_size
    mark = market.mark_price
    buy = (mark * (1 + BAND) / tick).to_integral_value(rounding=ROUND_FLOOR) * tick
    sell = (mark * (1 - BAND) / tick).to_integral_value(rounding=ROUND_CEILING) * tick
    return buy, sell


def index_symbol(spec: ContractSpec) -> str:
    """KuCoin's index names: .KXBTUSDT / .KXBTUSDC for linear contracts, .BXBT for XBTUSDM."""
    return f".B{spec.base}" if spec.inverse else f".K{spec.base}{spec.quote}"


def contract_object(market: SymbolMarket, now_ms: int) -> dict[str, Any]:
    spec = market.spec
    base = spec.base
    # An inverse contract's quote interest is the dollar's (.USDINT8H), KuCoin's XBTUSDM shape.
    quote = spec.quote
    buy_limit, sell_limit = price_band(market)
    open_price = spec.price(market.open_tick)
    change = market.last_price - open_price
    granularity = spec.funding_granularity_ms
    return {
        "symbol": spec.symbol,
        "rootSymbol": spec.settle,
        "type": "FFWCSX",
        "firstOpenDate": LISTED_MS,
        "expireDate": None,
        "settleDate": None,
        "baseCurrency": base,
        "quoteCurrency": quote,
        "settleCurrency": spec.settle,
        "maxOrderQty": spec.max_order_qty,
        "maxPrice": float(spec.max_price),
        "lotSize": spec.lot_size,
        "tickSize": float(spec.tick_size),
        "indexPriceTickSize": float(spec.index_tick_size),
        # KuCoin publishes an inverse multiplier negated: -1.0 is 1 USD a lot.
        "multiplier": float(-spec.multiplier if spec.inverse else spec.multiplier),
        "initialMargin": float(spec.initial_margin),
        "maintainMargin": float(spec.maintain_margin),
        "maxRiskLimit": int(spec.first_risk_limit),
        "minRiskLimit": int(spec.first_risk_limit),
        "riskStep": int(spec.first_risk_limit / 2),
        "makerFeeRate": float(spec.maker_fee_rate),
        "takerFeeRate": float(spec.taker_fee_rate),
        "takerFixFee": 0.0,
        "makerFixFee": 0.0,
        "settlementFee": None,
        "isDeleverage": True,
        "isQuanto": False,  # deprecated (KuCoin's own values vary)
        "isInverse": spec.inverse,
        "markMethod": "FairPrice",
        "fairMethod": "FundingRate",
        "fundingBaseSymbol": f".{base}INT8H",
        "fundingQuoteSymbol": f".{quote}INT8H",
        "fundingRateSymbol": f".{spec.symbol}FPI8H",
        "indexSymbol": index_symbol(spec),
        "settlementSymbol": "",  # null on XBTUSDM in 2022; the spec says a string
        "status": "Open",
        "fundingFeeRate": 0.0001,
        "predictedFundingFeeRate": 0.0001,
        "fundingRateGranularity": granularity,
        "openInterest": "0",
        "turnoverOf24h": float(market.turnover),  # settlement currency (XBT for XBTUSDM)
        "volumeOf24h": float(market.volume_lots * spec.multiplier),
        "markPrice": float(market.mark_price),
        "indexPrice": float(market.index_price),
        "lastTradePrice": float(market.last_price),
        "nextFundingRateTime": granularity - now_ms % granularity,
        "maxLeverage": spec.max_leverage,
        "sourceExchanges": ["kcterm-sim"],
        "premiumsSymbol1M": f".{spec.symbol}PI",
        "premiumsSymbol8H": f".{spec.symbol}PI8H",
        "fundingBaseSymbol1M": f".{base}INT",
        "fundingQuoteSymbol1M": f".{quote}INT",
        "lowPrice": float(spec.price(market.low_tick)),
        "highPrice": float(spec.price(market.high_tick)),
        "priceChgPct": float(round(change / open_price, 4)) if open_price else 0.0,
        "priceChg": float(change),
        "k": 490.0,
        "m": 300.0,
        "f": 1.3,
        "mmrLimit": 0.3,
        "mmrLevConstant": float(spec.max_leverage),
        "supportCross": True,
        "buyLimit": float(buy_limit),
        "sellLimit": float(sell_limit),
    }
