"""Orders on their way: what the orders panel reads of them (age, countdown, abandon)."""

from __future__ import annotations

from decimal import Decimal

from kcterm.core.pending_orders import CHECKING, WAITING, PendingOrders
from kcterm.core.validation import OrderRequest


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


BODY = OrderRequest(
    client_oid="abc", symbol="XBTUSDTM", side="buy", order_type="limit", size=3,
    price=Decimal("91000.5"), price_text="91000.5", leverage=5, margin_mode="ISOLATED",
)  # fmt: skip


async def test_a_pending_order_reads_like_an_open_row_with_its_age() -> None:
    clock = Clock()
    pending = PendingOrders(clock)
    order = pending.add(BODY)
    assert (order.order_id, order.price, order.size, order.filled_size) == (
        "pending:abc",
        Decimal("91000.5"),
        3,
        0,
    )
    clock.now += 2.4
    assert order.status == "pending · sending 2 s"
    order.state = CHECKING
    assert order.status == "pending · checking 2 s"
    assert "abc" in pending and len(pending) == 1


async def test_a_budget_wait_counts_down_and_ends_when_the_request_goes() -> None:
    clock = Clock()
    pending = PendingOrders(clock)
    order = pending.add(BODY)
    order.waiting(clock.now + 12.0)
    assert order.state == WAITING and order.status == "pending · budget in 12 s"
    clock.now += 5
    assert order.wait_left_s == 7.0 and order.status == "pending · budget in 7 s"
    clock.now += 7
    assert order.status == "pending · waiting for budget 12 s"  # overdue: no false countdown
    order.waiting(None)
    assert order.wait_left_s is None and order.status.startswith("pending · sending")


async def test_abandon_is_heard_once_and_only_while_pending() -> None:
    pending = PendingOrders(Clock())
    order = pending.add(BODY)
    version = pending.version
    assert not order.abandoned
    assert pending.abandon("abc") and order.abandoned and pending.version == version + 1
    assert pending.abandon("abc") and pending.version == version + 1  # asked again: no change
    pending.remove("abc")
    assert not pending.abandon("abc") and "abc" not in pending
