"""Which SL/TP st-order belongs to which entry, so a bracket lives and dies with what it
protects (issue 10; ARCHITECTURE.md "Rules worth keeping").

An entry's bracket is placed right after the entry (session_positions.place_with_bracket). From
then on, the entry's end decides the bracket's fate:

- ended with nothing filled (cancelled from the panel, cancel all, cancel everywhere, the cancel
  half of a modify, or cancelled by the exchange right after the acknowledgement): the bracket
  is cancelled;
- filled in part (still resting, or the rest cancelled): the bracket is replaced by one of
  the filled size (an st-order has no amend, spec/REFERENCE.md 7.10), again at each fill;
- filled whole: the bracket stays; it protects the position now.

The entry's fills and end may arrive before the bracket's reply does, so recent ends are kept and
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
    """What to do with an entry's bracket: `cancel` it, or `resize` it to `filled` lots.
    `final`: the entry has ended, nothing more will follow."""

    entry_id: str
    stop_id: str
    plan: BracketPlan
    action: str  # "cancel" | "resize"
    filled: int
    reason: str
    final: bool = True


@dataclass(slots=True)
class _Held:
    stop_id: str
    plan: BracketPlan
    entry_size: int
    busy: bool = False  # a cancel/replace of the bracket is on its way
    latest: tuple[int, bool, str] | None = None  # (filled, done, kind) seen meanwhile


class BracketGuard:
    def __init__(self) -> None:
        self._by_entry: dict[str, _Held] = {}
        # Entries not (yet) linked: their latest (filled, done, kind), for a late attach.
        self._seen: OrderedDict[str, tuple[int, bool, str]] = OrderedDict()

    def stop_of(self, entry_id: str) -> str | None:
        held = self._by_entry.get(entry_id)
        return held.stop_id if held else None

    def guarded_stops(self) -> set[str]:
        """Stop ids still waiting on their entry (not orphans, not the position's to cancel)."""
        return {held.stop_id for held in self._by_entry.values()}

    def attach(self, entry_id: str, stop_id: str, plan: BracketPlan) -> Verdict | None:
        """Link a bracket to its entry; if the entry already filled part or ended, say what
        to do now."""
        held = self._by_entry[entry_id] = _Held(stop_id, plan, plan.size)
        seen = self._seen.pop(entry_id, None)
        return self._decide(entry_id, held, *seen) if seen is not None else None

    def settled(self, entry_id: str, stop_id: str | None, plan: BracketPlan) -> Verdict | None:
        """A resize finished: `stop_id` is the bracket now (None if it could not be placed).
        Returns the next thing to do if the entry moved meanwhile."""
        held = self._by_entry.get(entry_id)
        if held is None:
            return None
        if stop_id is None:
            del self._by_entry[entry_id]  # nothing left to follow; the session said so
            return None
        held.stop_id, held.plan, held.busy = stop_id, plan, False
        latest, held.latest = held.latest, None
        return self._decide(entry_id, held, *latest) if latest is not None else None

    def detach_stop(self, stop_id: str) -> None:
        for entry_id, held in list(self._by_entry.items()):
            if held.stop_id == stop_id and not held.busy:
                del self._by_entry[entry_id]

    def on_order_event(self, data: dict[str, Any]) -> Verdict | None:
        """A tradeOrders event (spec/REFERENCE.md 8.3): a verdict when the entry filled part
        (the bracket follows the filled size) or ended."""
        kind = str(data.get("type") or "")
        done = data.get("status") == "done" or kind in ("filled", "canceled")
        if not done and kind != "match":
            return None
        entry_id = str(data.get("orderId") or "")
        filled = int(str(data.get("filledSize") or 0) or 0)
        held = self._by_entry.get(entry_id)
        if held is None:
            self._seen[entry_id] = (filled, done, kind)
            while len(self._seen) > RECENT_ENDS:
                self._seen.popitem(last=False)
            return None
        if held.busy:
            held.latest = (filled, done, kind)
            return None
        return self._decide(entry_id, held, filled, done, kind)

    def _decide(
        self, entry_id: str, held: _Held, filled: int, done: bool, kind: str
    ) -> Verdict | None:
        target = min(filled, held.entry_size)
        if done:
            del self._by_entry[entry_id]
            if target <= 0:
                why = "cancelled" if kind == "canceled" else "ended unfilled"
                return Verdict(
                    entry_id, held.stop_id, held.plan, "cancel", 0, f"its entry {entry_id} {why}"
                )
        elif target <= 0:
            return None
        if target == held.plan.size:
            return None  # the bracket already covers exactly what filled
        held.busy = not done
        return Verdict(
            entry_id,
            held.stop_id,
            held.plan,
            "resize",
            target,
            f"its entry {entry_id} has {target} of {held.entry_size} lots filled",
            final=done,
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
