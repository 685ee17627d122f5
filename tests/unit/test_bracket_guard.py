"""BracketGuard's decisions for every order of events an entry and its bracket can meet:
the entry's fills and end before or after the bracket's reply, fills while a resize is on
its way (coalesced to the latest), and the orphan rule."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from kcterm.core.bracket import BracketPlan
from kcterm.core.bracket_guard import BracketGuard, Link, find_orphans
from kcterm.venue.events import Trigger
from kcterm.venue.kucoin.account_events import positions_from_rest
from kcterm.venue.kucoin.order_events import open_orders, stop_orders
from kcterm.venue.kucoin.order_events import order_update as update

PLAN = BracketPlan(
    "XBTUSDTM",
    "long",
    10,
    Decimal("90000"),
    Decimal("85000"),
    Decimal("95000"),
    Trigger.MARK,
    False,
)


def event(kind: str, filled: int, status: str = "open") -> dict:
    return {"orderId": "E1", "type": kind, "filledSize": str(filled), "status": status}


def test_an_entry_cancelled_unfilled_cancels_its_bracket() -> None:
    guard = BracketGuard()
    assert guard.attach("E1", "S1", PLAN) is None
    verdict = guard.on_order_update(update(event("canceled", 0, "done")))
    assert verdict is not None and (verdict.action, verdict.stop_id) == ("cancel", "S1")
    assert guard.guarded_stops() == set()


def test_an_end_seen_before_the_bracket_reply_is_applied_at_attach() -> None:
    guard = BracketGuard()
    assert guard.on_order_update(update(event("canceled", 0, "done"))) is None
    verdict = guard.attach("E1", "S1", PLAN)
    assert verdict is not None and verdict.action == "cancel"


def test_a_whole_fill_keeps_the_bracket_and_forgets_the_entry() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    assert guard.on_order_update(update(event("filled", 10, "done"))) is None
    assert guard.guarded_stops() == set()


def test_fills_while_a_resize_is_on_its_way_are_coalesced_to_the_latest() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    first = guard.on_order_update(update(event("match", 3)))
    assert first is not None and (first.action, first.filled, first.final) == ("resize", 3, False)
    assert guard.on_order_update(update(event("match", 5))) is None  # busy: remembered
    assert guard.on_order_update(update(event("canceled", 6, "done"))) is None
    after = guard.settled("E1", "S2", PLAN.__class__(**{**_fields(PLAN), "size": 3}))
    assert after is not None and (after.stop_id, after.filled, after.final) == ("S2", 6, True)
    assert guard.guarded_stops() == set()


def test_a_failed_resize_stops_following_the_entry() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    assert guard.on_order_update(update(event("match", 4))) is not None
    assert guard.settled("E1", None, PLAN) is None
    assert guard.on_order_update(update(event("canceled", 4, "done"))) is None


def test_orphans_are_closing_stops_with_no_position_and_no_entry() -> None:
    stop = {"id": "S1", "symbol": "XBTUSDTM", "side": "sell", "size": 2, "reduceOnly": True}
    plain = {**stop, "id": "S2", "reduceOnly": False}
    entry = {"id": "E1", "symbol": "XBTUSDTM", "side": "buy", "size": 2}
    position = {"symbol": "XBTUSDTM", "currentQty": 2}
    stops, entries = stop_orders([stop, plain]), open_orders([entry])
    assert [o.order_id for o in find_orphans(stops, [], set(), set())] == ["S1"]
    assert find_orphans(stops[:1], entries, set(), set()) == []
    held = {p.symbol for p in positions_from_rest([position]) if p.qty}
    assert find_orphans(stops[:1], [], held, set()) == []
    assert find_orphans(stops[:1], [], set(), {"S1"}) == []
    wrong_side = open_orders([{**entry, "side": "sell"}])  # a sell stop protects no sell entry
    assert [o.order_id for o in find_orphans(stops[:1], wrong_side, set(), set())] == ["S1"]


def _fields(plan: BracketPlan) -> dict:
    return {name: getattr(plan, name) for name in plan.__dataclass_fields__}


# -- modify: the bracket moves to the replacement ----------------------------------------------


def test_the_cancel_half_of_a_modify_does_not_cancel_the_bracket() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    assert guard.begin_move("E1")
    assert (
        guard.on_order_update(update(event("canceled", 0, "done"))) is None
    )  # the old order's end
    assert guard.end_move("E1", "E2", old_filled=0, new_size=10) is None  # same size: kept
    assert guard.stop_of("E2") == "S1" and guard.stop_of("E1") is None
    verdict = guard.on_order_update(update({**event("canceled", 0, "done"), "orderId": "E2"}))
    assert verdict is not None and (verdict.action, verdict.stop_id) == ("cancel", "S1")


def test_a_modify_to_another_size_resizes_the_unfilled_bracket() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    guard.begin_move("E1")
    verdict = guard.end_move("E1", "E2", old_filled=0, new_size=4)
    assert verdict is not None and (verdict.action, verdict.filled) == ("resize", 4)
    assert verdict.entry_id == "E2"


def test_after_a_modify_the_fills_of_both_orders_add_up() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    first = guard.on_order_update(update(event("match", 3)))
    assert first is not None and first.filled == 3
    guard.settled("E1", "S2", replace(PLAN, size=3))
    guard.begin_move("E1")
    assert guard.end_move("E1", "E2", old_filled=3, new_size=7) is None  # still 3 filled
    verdict = guard.on_order_update(update({**event("match", 2), "orderId": "E2"}))
    assert verdict is not None and (verdict.stop_id, verdict.filled) == ("S2", 5)
    guard.settled("E2", "S3", replace(PLAN, size=5))
    done = guard.on_order_update(update({**event("canceled", 2, "done"), "orderId": "E2"}))
    assert done is None and guard.guarded_stops() == set()  # 5 filled, bracket of 5 stays


def test_a_modify_that_never_placed_its_replacement_falls_back_to_the_entry_s_end() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    guard.begin_move("E1")
    guard.on_order_update(update(event("canceled", 0, "done")))
    verdict = guard.abandon_move("E1")  # the new order was refused: the feed's end decides
    assert verdict is not None and verdict.action == "cancel"


def test_a_resize_that_settles_after_the_modify_follows_the_new_entry() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    resize = guard.on_order_update(update(event("match", 2)))
    assert resize is not None  # on its way
    guard.begin_move("E1")
    assert guard.end_move("E1", "E2", old_filled=2, new_size=8) is None
    assert guard.settled("E1", "S2", replace(PLAN, size=2)) is None  # found under E2
    assert guard.stop_of("E2") == "S2"


# -- the links as kept across a restart --------------------------------------------------------


class Kept:
    def __init__(self) -> None:
        self.saved: list[list[Link]] = []

    def save(self, links: list[Link]) -> None:
        self.saved.append(links)


def test_every_change_of_the_links_is_saved_and_a_new_guard_starts_from_them() -> None:
    kept = Kept()
    guard = BracketGuard(store=kept)
    guard.attach("E1", "S1", PLAN)
    assert kept.saved[-1] == [Link("E1", "S1", PLAN, 10, 0)]
    again = BracketGuard()
    again.restore(kept, kept.saved[-1])
    verdict = again.on_order_update(update(event("canceled", 0, "done")))
    assert verdict is not None and (verdict.action, verdict.stop_id) == ("cancel", "S1")
    assert kept.saved[-1] == []


def test_an_edited_bracket_is_linked_to_its_entry_again() -> None:
    """The bracket dialog on an entry replaces the st-order (cancel + place): the new one must
    still go when the entry goes."""
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    link = guard.link_of_stop("S1")
    assert link is not None and link.entry_id == "E1"
    guard.detach_stop("S1")  # what cancel_stop does
    edited = replace(PLAN, take_profit=Decimal("96000"))
    assert guard.relink(link, "S2", edited) is None
    verdict = guard.on_order_update(update(event("canceled", 0, "done")))
    assert verdict is not None and (verdict.action, verdict.stop_id) == ("cancel", "S2")


def test_an_entry_that_ended_while_its_bracket_was_edited_is_decided_at_relink() -> None:
    guard = BracketGuard()
    guard.attach("E1", "S1", PLAN)
    link = guard.link_of_stop("S1")
    assert link is not None
    guard.detach_stop("S1")
    assert guard.on_order_update(update(event("canceled", 0, "done"))) is None  # no link meanwhile
    verdict = guard.relink(link, "S2", PLAN)
    assert verdict is not None and (verdict.action, verdict.stop_id) == ("cancel", "S2")
