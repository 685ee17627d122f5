"""Risk-based sizing: how many lots lose a chosen amount if the stop is hit.

Risk is typed as a percent of equity or as an amount in the settlement currency. A lot loses
multiplier x |entry - stop| between entry and stop (an inverse contract's lot loses
|multiplier| x |1/entry - 1/stop| coins), so the size is risk / that, rounded DOWN
to the lot size: the sized order never risks more than asked (fees come on top and are shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from kcterm.core.contract import Contract
from kcterm.core.validation import OrderRejected


@dataclass(frozen=True, slots=True)
class RiskSize:
    lots: int
    risk_amount: Decimal  # what was asked to be risked
    actual_risk: Decimal  # what `lots` lose at the stop (≤ risk_amount)
    fees: Decimal  # taker fees in and out at entry and stop, on top

    def describe(self, contract: Contract) -> str:
        cur = contract.settle_currency or "USDT"
        p = contract.money_places  # a coin (inverse) shows satoshis, not cents
        return (
            f"{self.lots:,} lots risk {self.actual_risk:,.{p}f} {cur} at the stop "
            f"(asked {self.risk_amount:,.{p}f}; fees ≈ {self.fees:,.{p}f} more)"
        )


def _number(text: str, field: str, what: str) -> Decimal:
    cleaned = text.strip().replace(",", "").rstrip("%").strip()
    if not cleaned:
        raise OrderRejected(field, f"Enter {what}.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise OrderRejected(field, f"{what.capitalize()} {text!r} is not a number.") from None
    if not value.is_finite() or value <= 0:
        raise OrderRejected(field, f"{what.capitalize()} must be above zero.")
    return value


def risk_amount(risk_text: str, mode: str, equity: Decimal | None) -> Decimal:
    """`mode` "pct" (of equity) or "amount"."""
    value = _number(risk_text, "risk", "the risk")
    if mode == "amount":
        return value
    if value > 100:
        raise OrderRejected("risk", "Risk cannot be more than 100% of equity.")
    if equity is None or equity <= 0:
        raise OrderRejected("risk", "No account equity yet to take a percentage of.")
    return equity * value / 100


def size_for_risk(
    contract: Contract,
    side: str,
    entry: Decimal,
    stop_text: str,
    amount: Decimal,
) -> RiskSize:
    """Lots for a `side` entry at `entry` with its protective stop typed as `stop_text`."""
    stop = _number(stop_text, "risk_stop", "a stop price")
    if not contract.is_on_tick(stop):
        raise OrderRejected(
            "risk_stop",
            f"Stop price {stop} is not on the tick grid: use a multiple of "
            f"{contract.format_price(contract.tick_size)}.",
        )
    if side == "buy" and stop >= entry:
        raise OrderRejected("risk_stop", "A long's stop must be below the entry price.")
    if side == "sell" and stop <= entry:
        raise OrderRejected("risk_stop", "A short's stop must be above the entry price.")
    # One lot's loss at the stop in the settlement currency (coins for an inverse contract:
    # |multiplier| x |1/entry - 1/stop|).
    per_lot = abs(contract.pnl(1, entry, stop))
    places = contract.money_places
    lots = int((amount / per_lot).to_integral_value(ROUND_FLOOR))
    lots -= lots % contract.lot_size
    if lots < 1:
        raise OrderRejected(
            "risk",
            f"Risking {amount:,.{places}f} with this stop is less than one lot "
            f"(1 lot loses {per_lot:,.{places}f} at the stop).",
        )
    lots = min(lots, contract.max_order_qty)
    fees = (contract.value(lots, entry) + contract.value(lots, stop)) * contract.taker_fee_rate
    return RiskSize(lots, amount, lots * per_lot, fees)
