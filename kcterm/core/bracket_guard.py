"""Which SL/TP st-order belongs to which entry, so a bracket lives and dies with what it
protects (issue 10; ARCHITECTURE.md "Rules worth keeping").

An entry's bracket is placed right after the entry (core.trading place_with_bracket). From
then on, the entry's end decides the bracket's fate:

- ended with nothing filled (cancelled from the panel, cancel all, cancel everywhere, the cancel
  half of a modify, or cancelled by the exchange right after the acknowledgement): the bracket
  is cancelled;
- filled in part (still resting, or the rest cancelled): the bracket is replaced by one of
  the filled size (an st-order has no amend, spec/REFERENCE.md 7.10), again at each fill;
- filled whole: the bracket stays; it protects the position now;
- modified (price and/or size; KuCoin has no amend, so the entry is cancelled and its rest
  placed again, core.trading modify_order): the bracket is carried over to the replacement,
  not cancelled. `begin_move` keeps the old entry's cancel from cancelling it, `end_move`
  links it to the new order (resized when the entry's size changed), `abandon_move` puts it
  back under the rules above when the replacement never came.

Size rule (issue 10 item 3): the bracket never closes more than its entry can open. Before
the first fill it is placed with the entry's size, reduce-only (never closeOrder): if it
triggers while the entry has not filled, a reduce-only order has nothing of that entry to
close, and on KuCoin it cannot open a position either (a reduce-only order with no position
is cancelled at the trigger; tests/integration/test_bracket_lifecycle.py shows it on the sim).
After a fill it follows the filled size, never more than the entry's size. One consequence to
know: with a position already open on the same side, a bracket that triggers before its entry
fills closes up to the entry's size of THAT position.

The links survive a restart when the session keeps them (`BracketGuard(store=...)`,
core/bracket_links.py, core.trading keep_bracket_links): every change is written, and the
next session's guard starts from them.

The entry's fills and end may arrive before the bracket's reply does, so recent ends are kept and
looked at when the bracket is attached. No I/O here beyond the store: the session acts on what
this decides.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from kcterm.core.bracket import BracketOrder, BracketPlan
from kcterm.core.validation import OrderRejected
from kcterm.venue.events import OpenOrder, OrderEventKind, OrderUpdate, StopOrder

RECENT_ENDS = 512  # done entries remembered for a bracket reply that is still on its way


def ensure_closing(order: BracketOrder) -> None:
    """Refuse a bracket order that could open or increase a position: it must reduce only or
    close the position (spec/REFERENCE.md 7.10). Checked on the order about to be sent (the
    adapter's bracket_body refuses such an order once more, on the body itself)."""
    if order.reduce_only is not True and order.close_order is not True:
        raise OrderRejected("bracket", "A TP/SL must be reduce-only or close the position.")


def check_move(plan: BracketPlan, price: Decimal) -> None:
    """Refuse moving a bracketed entry to or past its own stop-loss or take-profit: the price
    would reach that level before the entry, so the bracket would fire with nothing to close
    and the entry then fill unprotected (or be protected upside down)."""
    long = plan.direction == "long"
    sl, tp = plan.stop_loss, plan.take_profit
    if sl is not None and (price <= sl if long else price >= sl):
        where = "above" if long else "below"
        raise OrderRejected("price", f"Keep the entry {where} its stop-loss {sl:f}.")
    if tp is not None and (price >= tp if long else price <= tp):
        where = "below" if long else "above"
        raise OrderRejected("price", f"Keep the entry {where} its take-profit {tp:f}.")


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


_State = tuple[int, bool, str]  # (filled, done, kind) of an entry's order event


@dataclass(frozen=True, slots=True)
class Link:
    """One entry and its bracket as kept across a restart. `base`: lots an earlier order of
    the same entry filled before it was modified (the current order's fills come on top);
    `entry_size`: the most the entry can open, base included."""

    entry_id: str
    stop_id: str
    plan: BracketPlan
    entry_size: int
    base: int = 0


class LinkStore(Protocol):
    """Where the links are kept between sessions (core/bracket_links.py)."""

    def save(self, links: list[Link]) -> None: ...


@dataclass(slots=True)
class _Held:
    stop_id: str
    plan: BracketPlan
    entry_size: int
    base: int = 0
    busy: bool = False  # a cancel/replace of the bracket is on its way
    latest: _State | None = None  # seen while busy
    moving: bool = False  # the entry is being modified (cancel + replace)
    pending: _State | None = None  # the old order's latest event seen while moving


class BracketGuard:
    def __init__(self, store: LinkStore | None = None, links: list[Link] | None = None) -> None:
        self._by_entry: dict[str, _Held] = {}
        # Entries not (yet) linked: their latest (filled, done, kind), for a late attach.
        self._seen: OrderedDict[str, _State] = OrderedDict()
        # old entry id -> its replacement, so a resize started before a modify settles
        self._renamed: OrderedDict[str, str] = OrderedDict()
        self.store = store
        for link in links or []:
            self._by_entry[link.entry_id] = _Held(
                link.stop_id, link.plan, link.entry_size, link.base
            )

    def links(self) -> list[Link]:
        return [
            Link(entry_id, held.stop_id, held.plan, held.entry_size, held.base)
            for entry_id, held in self._by_entry.items()
        ]

    def _changed(self) -> None:
        if self.store is not None:
            self.store.save(self.links())

    def restore(self, store: LinkStore, links: list[Link]) -> None:
        """Take over the links a previous session kept (the ones this session made stay)."""
        for link in links:
            self._by_entry.setdefault(
                link.entry_id, _Held(link.stop_id, link.plan, link.entry_size, link.base)
            )
        self.store = store
        self._changed()

    def stop_of(self, entry_id: str) -> str | None:
        held = self._by_entry.get(entry_id)
        return held.stop_id if held else None

    def plan_of(self, entry_id: str) -> BracketPlan | None:
        held = self._by_entry.get(entry_id)
        return held.plan if held else None

    def guarded_stops(self) -> set[str]:
        """Stop ids still waiting on their entry (not orphans, not the position's to cancel)."""
        return {held.stop_id for held in self._by_entry.values()}

    def attach(self, entry_id: str, stop_id: str, plan: BracketPlan) -> Verdict | None:
        """Link a bracket to its entry; if the entry already filled part or ended, say what
        to do now."""
        held = self._by_entry[entry_id] = _Held(stop_id, plan, plan.size)
        seen = self._seen.pop(entry_id, None)
        verdict = self._decide(entry_id, held, *seen) if seen is not None else None
        self._changed()
        return verdict

    def settled(self, entry_id: str, stop_id: str | None, plan: BracketPlan) -> Verdict | None:
        """A resize finished: `stop_id` is the bracket now (None if it could not be placed).
        Returns the next thing to do if the entry moved meanwhile."""
        while entry_id in self._renamed:  # the entry was modified while the resize ran
            entry_id = self._renamed[entry_id]
        held = self._by_entry.get(entry_id)
        if held is None:
            return None
        if stop_id is None:
            del self._by_entry[entry_id]  # nothing left to follow; the session said so
            self._changed()
            return None
        held.stop_id, held.plan, held.busy = stop_id, plan, False
        latest, held.latest = held.latest, None
        verdict = None
        if latest is not None and not held.moving:
            verdict = self._decide(entry_id, held, *latest)
        self._changed()
        return verdict

    def detach_stop(self, stop_id: str) -> bool:
        """Forget the bracket `stop_id` (gone); False if none was held, or it is mid-replace."""
        for entry_id, held in list(self._by_entry.items()):
            if held.stop_id == stop_id and not held.busy:
                del self._by_entry[entry_id]
                self._changed()
                return True
        return False

    def link_of_stop(self, stop_id: str) -> Link | None:
        """The entry a bracket protects, asked before the bracket is edited (cancel + place)."""
        for entry_id, held in self._by_entry.items():
            if held.stop_id == stop_id:
                return Link(entry_id, stop_id, held.plan, held.entry_size, held.base)
        return None

    def relink(self, link: Link, stop_id: str, plan: BracketPlan) -> Verdict | None:
        """An edited bracket (new levels, so a new st-order `stop_id`) protects `link`'s entry
        again; if the entry filled or ended while the edit ran, say what to do now."""
        held = self._by_entry[link.entry_id] = _Held(stop_id, plan, link.entry_size, link.base)
        seen = self._seen.pop(link.entry_id, None)
        verdict = self._decide(link.entry_id, held, *seen) if seen is not None else None
        self._changed()
        return verdict

    def forget_entry(self, entry_id: str) -> None:
        """Stop following an entry (after a restart, one the exchange no longer knows: its
        bracket is left to the orphan pass)."""
        if self._by_entry.pop(entry_id, None) is not None:
            self._changed()

    def entries(self) -> list[str]:
        return list(self._by_entry)

    # -- modify: the entry is cancelled and its rest placed again ----------------------------

    def begin_move(self, entry_id: str) -> bool:
        """The entry is about to be cancelled for a replacement: its cancel must not cancel
        the bracket. False when the entry has no bracket here."""
        held = self._by_entry.get(entry_id)
        if held is None:
            return False
        held.moving, held.pending = True, None
        return True

    def end_move(self, old_id: str, new_id: str, old_filled: int, new_size: int) -> Verdict | None:
        """The replacement `new_id` of `new_size` lots rests; the old order ended with
        `old_filled` lots. The bracket now follows the new order (its size: what filled so
        far, or the new entry's size while nothing has)."""
        held = self._by_entry.pop(old_id, None)
        if held is None:
            return None
        held.moving, held.pending = False, None
        held.base += old_filled
        held.entry_size = held.base + new_size
        self._by_entry[new_id] = held
        self._renamed[old_id] = new_id
        while len(self._renamed) > RECENT_ENDS:
            self._renamed.popitem(last=False)
        state = self._seen.pop(new_id, None) or (0, False, "match")
        verdict = None
        if held.busy:
            held.latest = state  # decided once the resize on its way settles
        else:
            verdict = self._decide(new_id, held, *state)
        self._changed()
        return verdict

    def abandon_move(self, entry_id: str, state: _State | None = None) -> Verdict | None:
        """No replacement came (the cancel was refused, the entry filled first, or the new
        order was refused): the entry's own `state` (or what the feed said meanwhile)
        decides the bracket as for any entry."""
        held = self._by_entry.get(entry_id)
        if held is None:
            return None
        state = state or held.pending
        held.moving, held.pending = False, None
        if state is None:
            return None
        if held.busy:
            held.latest = state
            return None
        verdict = self._decide(entry_id, held, *state)
        self._changed()
        return verdict

    def on_order_update(self, update: OrderUpdate) -> Verdict | None:
        """An order event: a verdict when the entry filled part (the bracket follows the
        filled size) or ended."""
        kind = update.kind.value
        done = update.done
        if not done and update.kind is not OrderEventKind.MATCH:
            return None
        entry_id = update.order_id
        filled = update.filled_size
        held = self._by_entry.get(entry_id)
        if held is None:
            self._seen[entry_id] = (filled, done, kind)
            while len(self._seen) > RECENT_ENDS:
                self._seen.popitem(last=False)
            return None
        if held.moving:
            held.pending = (filled, done, kind)  # the modify decides (end/abandon_move)
            return None
        if held.busy:
            held.latest = (filled, done, kind)
            return None
        verdict = self._decide(entry_id, held, filled, done, kind)
        if done or verdict is not None:
            self._changed()
        return verdict

    def _decide(
        self, entry_id: str, held: _Held, filled: int, done: bool, kind: str
    ) -> Verdict | None:
        got = min(held.base + filled, held.entry_size)
        if done:
            del self._by_entry[entry_id]
            if got <= 0:
                why = "cancelled" if kind == "canceled" else "ended unfilled"
                return Verdict(
                    entry_id, held.stop_id, held.plan, "cancel", 0, f"its entry {entry_id} {why}"
                )
        # Nothing filled yet: the entry's size (the size rule in the module docstring).
        target = got if got > 0 else held.entry_size
        if target == held.plan.size:
            return None  # the bracket already covers exactly that
        held.busy = not done
        why = (
            f"its entry {entry_id} has {got} of {held.entry_size} lots filled"
            if got > 0
            else f"its entry {entry_id} is now {held.entry_size} lots"
        )
        return Verdict(entry_id, held.stop_id, held.plan, "resize", target, why, final=done)


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
    stops: list[StopOrder],
    active: list[OpenOrder],
    held: set[str],
    guarded: set[str],
) -> list[OrphanBracket]:
    """The closing stops (the venue's untriggered stop orders) on a symbol with no position
    (`held`: the symbols with one) and no open entry they could protect (an order on the
    other side). A bracket the guard still links to an entry is never an orphan."""
    entries = {(o.symbol, o.side) for o in active if not (o.reduce_only or o.close_order)}
    out: list[OrphanBracket] = []
    for stop in stops:
        if not stop.closing:
            continue  # a stop entry is the trader's own order, not a bracket
        protects = "buy" if stop.side == "sell" else "sell"
        if stop.order_id in guarded or stop.symbol in held or (stop.symbol, protects) in entries:
            continue
        out.append(
            OrphanBracket(
                stop.order_id,
                stop.symbol,
                stop.side,
                0 if stop.close_order else stop.size,
                f"{stop.stop_price:f}" if stop.stop_price else "",
            )
        )
    return sorted(out, key=lambda o: o.order_id)
