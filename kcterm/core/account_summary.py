"""The account bar's figures: equity, available balance, margin used, unrealised PnL and the
cross-margin risk ratio, kept live between wallet messages.

The wallet feed speaks when balances change, the position feed when marks move; equity is the
wallet's, re-marked with the positions' current unrealised PnL. The risk ratio is the cross
positions' maintenance margin over the cross equity (the exchange's riskRatio): 0 without
cross positions, 100 % and more at liquidation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kcterm.core.account import Balance
from kcterm.core.contract import Contract
from kcterm.core.positions import Position

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class AccountSummary:
    currency: str
    equity: Decimal
    available: Decimal
    margin_used: Decimal  # position margin plus the margin open orders hold
    unrealised: Decimal
    risk_ratio: Decimal | None  # a fraction; None when it cannot be told yet


def summarize(
    balance: Balance | None,
    positions: Iterable[Position],
    contracts: dict[str, Contract],
    unconfirmed_order_margin: Decimal = ZERO,
) -> AccountSummary | None:
    """`unconfirmed_order_margin`: what resting orders froze (or freed) since the exchange's
    last balance (core.order_margin); it moves available and margin used at once."""
    if balance is None:
        return None
    mine = [
        p
        for p in positions
        if (c := contracts.get(p.symbol)) is not None
        and (c.settle_currency or "USDT") == balance.currency
    ]
    unrealised = sum((p.unrealised_pnl for p in mine), ZERO) if mine else balance.unrealised_pnl
    equity = balance.equity - balance.unrealised_pnl + unrealised
    cross_maint = ZERO
    for position in mine:
        if position.margin_mode != "CROSS":
            continue
        contract = contracts[position.symbol]
        value = contract.value(abs(position.qty), position.mark_price)  # coins if inverse
        cross_maint += value * contract.maintain_margin
    risk: Decimal | None
    if cross_maint == 0:
        risk = ZERO
    elif balance.cross_equity is not None:
        risk = cross_maint / balance.cross_equity if balance.cross_equity > 0 else Decimal(1)
    else:
        risk = balance.risk_ratio
    return AccountSummary(
        balance.currency,
        equity,
        balance.available - unconfirmed_order_margin,
        balance.position_margin + balance.order_margin + unconfirmed_order_margin,
        unrealised,
        risk,
    )
