"""Which SL/TP st-order belongs to which entry, so a bracket lives and dies with what it
protects (issue 10; ARCHITECTURE.md "Rules worth keeping").

An entry's bracket is placed right after the entry (session_positions.place_with_bracket). From
then on, the entry's end decides the bracket's fate:

- ended with nothing filled (cancelled from the panel, cancel all, cancel everywhere, the cancel
  half of a modify, or cancelled by the exchange right after the acknowledgement): the bracket
  is cancelled;
- ended part-filled: the bracket is replaced by one of the filled size (an st-order has no
  amend, spec/REFERENCE.md 7.10);
- filled whole: the bracket stays; it protects the position now.

The entry's done event may arrive before the bracket's reply does, so recent ends are kept and
looked at when the bracket is attached. No I/O here: the session acts on what this decides.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from kcterm.core.bracket import BracketPlan
from kcterm.core.validation import OrderRejected

RECENT_ENDS = 512  # done entries remembered for a bracket reply that is still on its way


def ensure_closing(body: dict[str, Any]) -> None:
    """Refuse a bracket request that could open or increase a position: it must carry
    reduceOnly or closeOrder (spec/REFERENCE.md 7.10). Checked on the body actually sent."""
    if body.get("reduceOnly") is not True and body.get("closeOrder") is not True:
        raise OrderRejected("bracket", "A TP/SL must be reduce-only or close the position.")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with an entry's bracket: `cancel` it, or `resize` it to `filled` lots."""

    entry_id: str
    stop_id: str
    plan: BracketPlan
    action: str  # "cancel" | "resize"
    filled: int
    reason: str


class BracketGuard:
    def __init__(self) -> None:
        self._by_entry: dict[str, tuple[str, BracketPlan]] = {}
        self._ends: OrderedDict[str, tuple[int, str]] = OrderedDict()  # id -> (filled, kind)

    def stop_of(self, entry_id: str) -> str | None:
        held = self._by_entry.get(entry_id)
        return held[0] if held else None

    def guarded_stops(self) -> set[str]:
        """Stop ids still waiting on their entry (not orphans, not the position's to cancel)."""
        return {stop_id for stop_id, _plan in self._by_entry.values()}

    def attach(self, entry_id: str, stop_id: str, plan: BracketPlan) -> Verdict | None:
        """Link a bracket to its entry; if the entry already ended, say what to do now."""
        self._by_entry[entry_id] = (stop_id, plan)
        end = self._ends.pop(entry_id, None)
        return self._decide(entry_id, *end) if end is not None else None

    def detach_stop(self, stop_id: str) -> None:
        for entry_id, (held, _plan) in list(self._by_entry.items()):
            if held == stop_id:
                del self._by_entry[entry_id]

    def on_order_event(self, data: dict[str, Any]) -> Verdict | None:
        """A tradeOrders event (spec/REFERENCE.md 8.3); a verdict when the entry has ended."""
        if data.get("status") != "done" and data.get("type") not in ("filled", "canceled"):
            return None
        entry_id = str(data.get("orderId") or "")
        filled = int(str(data.get("filledSize") or 0) or 0)
        kind = str(data.get("type") or "done")
        if entry_id not in self._by_entry:
            self._ends[entry_id] = (filled, kind)
            while len(self._ends) > RECENT_ENDS:
                self._ends.popitem(last=False)
            return None
        return self._decide(entry_id, filled, kind)

    def _decide(self, entry_id: str, filled: int, kind: str) -> Verdict | None:
        stop_id, plan = self._by_entry.pop(entry_id)
        if filled >= plan.size:
            return None  # filled whole: the bracket protects the position now
        if filled <= 0:
            why = "cancelled" if kind == "canceled" else "ended unfilled"
            return Verdict(entry_id, stop_id, plan, "cancel", 0, f"its entry {entry_id} {why}")
        return Verdict(
            entry_id,
            stop_id,
            plan,
            "resize",
            filled,
            f"its entry {entry_id} ended with {filled} of {plan.size} lots filled",
        )


@dataclass(frozen=True, slots=True)
class OrphanBracket:
    """A waiting reduce-only/closeOrder stop with no entry to protect and no position."""

    order_id: str
    symbol: str
    side: str
    size: int
    stop_price: str

    def describe(self) -> str:
        size = "the position" if self.size == 0 else f"{self.size} lots"
        return f"{self.order_id} ({self.side} {size} {self.symbol} at {self.stop_price})"


def find_orphans(
    stops: list[dict[str, Any]],
    active: list[dict[str, Any]],
    positions: list[dict[str, Any]],
    guarded: set[str],
) -> list[OrphanBracket]:
    """The closing stops (REST items of GET /api/v1/stopOrders, spec/REFERENCE.md 7.13) on a
    symbol with no position and no open entry they could protect (an order on the other
    side). A bracket the guard still links to an entry is never an orphan."""
    held = {str(p.get("symbol")) for p in positions if int(p.get("currentQty") or 0) != 0}
    entries = {
        (str(o.get("symbol")), str(o.get("side")))
        for o in active
        if not o.get("reduceOnly") and not o.get("closeOrder") and not o.get("stop")
    }
    out: list[OrphanBracket] = []
    for item in stops:
        if not (item.get("reduceOnly") or item.get("closeOrder")):
            continue  # a stop entry is the trader's own order, not a bracket
        order_id, symbol, side = str(item["id"]), str(item["symbol"]), str(item["side"])
        protects = "buy" if side == "sell" else "sell"
        if order_id in guarded or symbol in held or (symbol, protects) in entries:
            continue
        out.append(
            OrphanBracket(
                order_id,
                symbol,
                side,
                0 if item.get("closeOrder") else int(item.get("size") or 0),
                str(item.get("stopPrice") or ""),
            )
        )
    return sorted(out, key=lambda o: o.order_id)
