"""Wire shapes of account state: position objects (spec/REFERENCE.md 7.15 / 8.3 position.change),
account-overview (7.17) and the wallet feed (8.3 walletBalance.change)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kcterm.sim.margin import Overview
from kcterm.sim.positions import Position


def num(value: Decimal, places: int = 8) -> float:
    """A JSON number for figures KuCoin sends as numbers (rounded, never an order price)."""
    return float(round(value, places))


def text(value: Decimal, places: int = 8) -> str:
    out = f"{round(value, places).normalize():f}"
    return "0" if out in ("-0", "") else out


def position_object(pos: Position, mark: Decimal, leverage: Decimal, now_ms: int) -> dict[str, Any]:
    spec = pos.spec
    upnl = pos.unrealised(mark)
    # Signed value at entry in the settlement currency (coins if inverse: qty x mult / E).
    cost = spec.value(pos.qty, pos.entry) if pos.qty else Decimal(0)
    margin = pos.margin
    realised = pos.realised_gross - pos.fees + pos.funding
    pct = upnl / abs(cost) if cost else Decimal(0)
    roe = upnl / margin if margin else Decimal(0)
    real_leverage = abs(cost) / margin if margin else Decimal(0)
    common: dict[str, Any] = {
        "id": pos.position_id,
        "symbol": spec.symbol,
        "crossMode": pos.margin_mode == "CROSS",
        "delevPercentage": num(min(Decimal(1), max(Decimal(0), roe)), 2),
        "openingTimestamp": pos.opened_ms,
        "currentTimestamp": now_ms,
        "currentQty": pos.qty,
        "currentCost": num(cost),
        "currentComm": num(pos.fees),
        "unrealisedCost": num(cost),
        "realisedGrossCost": num(-pos.realised_gross),
        "realisedCost": num(-realised),
        "isOpen": pos.qty != 0,
        "markPrice": num(mark),
        "markValue": num(spec.value(pos.qty, mark)),
        "posCost": num(cost),
        "posInit": num(margin),
        "posMargin": num(margin),
        "realisedGrossPnl": num(pos.realised_gross),
        "realisedPnl": num(realised),
        "unrealisedPnl": num(upnl),
        "unrealisedPnlPcnt": num(pct, 4),
        "unrealisedRoePcnt": num(roe, 4),
        "avgEntryPrice": num(pos.entry),
        "liquidationPrice": num(pos.liquidation_price()),
        "bankruptPrice": num(pos.bankrupt_price()),
        "settleCurrency": spec.settle,
        "isInverse": spec.inverse,
        "marginMode": pos.margin_mode,
        "positionSide": "BOTH",
        "leverage": num(leverage if pos.margin_mode == "CROSS" else real_leverage, 4),
    }
    if pos.margin_mode == "ISOLATED":
        maint = pos.maint_margin(mark)
        tier = pos.tier()
        common.update(
            autoDeposit=False,
            maintMarginReq=num(tier.maintain_margin),
            riskLimit=int(tier.max_value),
            realLeverage=num(real_leverage, 4),
            posCross=0.0,
            posCrossMargin=0,  # an integer in the spec (GET /api/v1/position), unlike its peers
            posComm=0.0,
            posCommCommon=0.0,
            posLoss=0.0,
            posFunding=num(pos.funding),
            posMaint=num(maint),
            maintMargin=num(margin + upnl),
            maintainMargin=num(tier.maintain_margin),
            riskLimitLevel=tier.level,
        )
    return common


def overview_object(ov: Overview) -> dict[str, Any]:
    return {
        "accountEquity": num(ov.equity),
        "unrealisedPNL": num(ov.unrealised),
        "marginBalance": num(ov.balance),
        "positionMargin": num(ov.position_margin),
        "orderMargin": num(ov.order_margin),
        "frozenFunds": 0.0,
        "availableBalance": num(max(Decimal(0), ov.available)),
        "currency": ov.currency,
        "riskRatio": num(ov.risk_ratio),
        "maxWithdrawAmount": num(max(Decimal(0), ov.available)),
    }


def wallet_object(ov: Overview, version: int, now_ms: int) -> dict[str, str]:
    return {
        "crossPosMargin": text(ov.cross_pos_margin),
        "isolatedOrderMargin": text(ov.iso_order_margin),
        "holdBalance": "0",
        "equity": text(ov.equity),
        "version": str(version),
        "availableBalance": text(max(Decimal(0), ov.available)),
        "isolatedPosMargin": text(ov.iso_pos_margin),
        "walletBalance": text(ov.balance),
        "isolatedFundingFeeMargin": "0",
        "crossUnPnl": text(ov.cross_unrealised),
        "totalCrossMargin": text(max(Decimal(0), ov.cross_equity)),
        "currency": ov.currency,
        "isolatedUnPnl": text(ov.iso_unrealised),
        "crossOrderMargin": text(ov.cross_order_margin),
        "timestamp": str(now_ms),
    }
