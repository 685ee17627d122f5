"""Which stop orders protect a position, as stop-loss and take-profit levels.

KuCoin's lists and the advancedOrders feed show an st-order with ONE stop price (its
stop-loss side), so the brackets this terminal placed are remembered with both levels
(`BracketBook`). Any other waiting stop on the side that closes the position is read by its
direction: for a long (closed by a sell) a stop that fires on the way down is a stop-loss and
one on the way up a take-profit; for a short (closed by a buy), the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from kcterm.core.bracket import BracketPlan
from kcterm.core.stop_orders import StopOrder
from kcterm.venue.events import Trigger


@dataclass(frozen=True, slots=True)
class Level:
    """One protective level: which stop order holds it, SL or TP, its price and source."""

    order_id: str
    kind: str  # "SL" | "TP"
    price: Decimal
    trigger: Trigger | None  # None: the venue did not say


class BracketBook:
    """Order id -> the plan of each st-order placed here; `version` moves on every change."""

    def __init__(self) -> None:
        self._plans: dict[str, BracketPlan] = {}
        self.version = 0

    def add(self, order_id: str, plan: BracketPlan) -> None:
        self._plans[order_id] = plan
        self.version += 1

    def get(self, order_id: str) -> BracketPlan | None:
        return self._plans.get(order_id)

    def forget(self, order_id: str) -> None:
        if self._plans.pop(order_id, None) is not None:
            self.version += 1


def levels_for(symbol: str, qty: int, stops: list[StopOrder], brackets: BracketBook) -> list[Level]:
    """The SL and TP levels on `symbol` for a position of `qty` signed lots (0: the brackets
    placed for an entry still count; anonymous stops then say nothing)."""
    out: list[Level] = []
    for stop in stops:
        if stop.symbol != symbol:
            continue
        plan = brackets.get(stop.order_id)
        if plan is not None:
            trigger = plan.trigger
            if plan.stop_loss is not None:
                out.append(Level(stop.order_id, "SL", plan.stop_loss, trigger))
            if plan.take_profit is not None:
                out.append(Level(stop.order_id, "TP", plan.take_profit, trigger))
            continue
        closing = "sell" if qty > 0 else "buy" if qty < 0 else ""
        if not closing or stop.side != closing or stop.stop not in ("up", "down"):
            continue
        loses = "down" if qty > 0 else "up"
        kind = "SL" if stop.stop == loses else "TP"
        out.append(Level(stop.order_id, kind, stop.stop_price, stop.trigger))
    return sorted(out, key=lambda level: (level.kind, level.price))


class PriceFormat(Protocol):
    """Renders a price for display. A Protocol, not a Callable: mypy then accepts the
    caller's `lambda p, c=contract: ...` (the default binds the loop's contract)."""

    def __call__(self, price: Decimal, /) -> str: ...


def describe_levels(levels: list[Level], fmt: PriceFormat) -> str:
    """`SL 85,000.0 · TP 95,000.0` for the positions grid (`fmt` renders a price)."""
    return " · ".join(f"{level.kind} {fmt(level.price)}" for level in levels)
